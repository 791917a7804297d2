import time
from multiprocessing import Event, Lock, Process

def hold(lock, holding):
    lock.acquire()
    holding.set()
    time.sleep(60)  # killed long before this ends

def wait_for(lock):
    print('second child: waiting for the lock')
    with lock:
        print('second child: got it')

if __name__ == '__main__':
    lock, holding = Lock(), Event()
    holder = Process(target=hold, args=(lock, holding))
    holder.start()
    holding.wait()  # until the holder has the lock
    holder.kill()
    holder.join()
    print('holder killed; exit code', holder.exitcode)
    waiter = Process(target=wait_for, args=(lock,))
    waiter.start()
    waiter.join()
