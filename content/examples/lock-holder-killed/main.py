import time
from multiprocessing import Event, Lock, Process

def hold(lock, holding):
    lock.acquire()
    holding.set()
    time.sleep(60)  # killed long before this ends

def wait_for(lock, killed):
    killed.wait()  # until the holder is dead
    print('second child: waiting for the lock')
    with lock:
        print('second child: got it')

if __name__ == '__main__':
    lock, holding, killed = Lock(), Event(), Event()
    holder = Process(target=hold, args=(lock, holding))
    waiter = Process(target=wait_for, args=(lock, killed))
    holder.start()
    waiter.start()
    holding.wait()  # until the holder has the lock
    holder.kill()
    holder.join()
    print('holder killed; exit code', holder.exitcode)
    killed.set()
    waiter.join()
