import multiprocessing
import threading
import time
import warnings

def task():
    print('the child runs with', threading.active_count(), 'thread')

if __name__ == '__main__':
    warnings.simplefilter('default')  # show DeprecationWarning, which Python hides by default
    helper = threading.Thread(target=time.sleep, args=(0.5,))
    helper.start()  # the parent now runs two threads
    p = multiprocessing.Process(target=task)
    p.start()
    p.join()
    helper.join()
