import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

lock = None  # each worker process fills this in once, when it starts

def init_worker(shared_lock):
    global lock
    lock = shared_lock

def task():
    with lock:
        with open('f1.txt', 'r', encoding='utf-8') as f:
            current_num = int(f.read())
        time.sleep(0.1)
        current_num -= 1
        with open('f1.txt', 'w', encoding='utf-8') as f:
            f.write(str(current_num))
        print('got one; tickets left:', current_num)

if __name__ == '__main__':
    shared_lock = multiprocessing.RLock()
    with ProcessPoolExecutor(4, initializer=init_worker, initargs=(shared_lock,)) as pool:
        for i in range(10):
            pool.submit(task)
    with open('f1.txt', encoding='utf-8') as f:
        print('tickets left in f1.txt:', f.read())
