import threading
import time
from concurrent.futures import ProcessPoolExecutor

ran_in = {}  # callback name -> the thread it ran in

def square(n):
    time.sleep(0.2)
    return n * n

def thread_name():
    return 'the main thread' if threading.current_thread() is threading.main_thread() else 'a helper thread'

def early(future):
    ran_in['early'] = thread_name()

def late(future):
    ran_in['late'] = thread_name()

def broken(future):
    raise ValueError('a mistake in the callback')

if __name__ == '__main__':
    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(square, 3)
        future.add_done_callback(early)   # the task is still running: called when it finishes
        print('result:', future.result())
        future.add_done_callback(late)    # already finished: called at once, right here
        future.add_done_callback(broken)  # its exception is logged, not raised
        print('add_done_callback(broken) returned normally')
    print('early ran in', ran_in['early'])
    print('late ran in', ran_in['late'])
