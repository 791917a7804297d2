import time
from multiprocessing import Event, Lock, Process

def hold(lock, holding):
    with lock:
        holding.set()
        time.sleep(60)  # terminated long before this ends

if __name__ == '__main__':
    lock, holding = Lock(), Event()
    p = Process(target=hold, args=(lock, holding))
    p.start()
    holding.wait()
    p.terminate()
    p.join()
    print('holder terminated; exit code', p.exitcode)
    print('acquire(timeout=0.5) returned', lock.acquire(timeout=0.5))
