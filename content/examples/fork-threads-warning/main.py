import multiprocessing
import threading
import warnings

def task():
    print('the child runs with', threading.active_count(), 'thread')

if __name__ == '__main__':
    warnings.simplefilter('default')  # show DeprecationWarning, which Python hides by default
    release = threading.Event()
    helper = threading.Thread(target=release.wait)
    helper.start()  # the parent now runs two threads, until release is set
    p = multiprocessing.Process(target=task)
    p.start()
    p.join()
    release.set()
    helper.join()
