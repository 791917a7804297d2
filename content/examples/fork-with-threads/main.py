import multiprocessing
import threading
import warnings

# Python 3.12+ warns when a process with several threads forks; show the warning.
warnings.simplefilter('default', DeprecationWarning)

lock = threading.Lock()
holding = threading.Event()
release = threading.Event()

def hold_the_lock():
    with lock:              # a background thread holds the lock...
        holding.set()
        release.wait()      # ...until the parent is done

def child():
    if lock.acquire(timeout=1):
        print('child: took the lock')
    else:
        print('child: the lock is held by a thread that does not exist here; gave up after 1 s')

if __name__ == '__main__':
    print('start method:', multiprocessing.get_start_method())
    threading.Thread(target=hold_the_lock).start()
    holding.wait()
    p = multiprocessing.Process(target=child)
    p.start()
    p.join()
    release.set()
