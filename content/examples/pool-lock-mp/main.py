import multiprocessing
from concurrent.futures import ProcessPoolExecutor

def task(lock, num):
    with lock:
        return num * num

if __name__ == '__main__':
    lock = multiprocessing.RLock()
    with ProcessPoolExecutor(2) as pool:
        future = pool.submit(task, lock, 3)
        try:
            print(future.result())
        except RuntimeError as error:
            print('the task failed with RuntimeError:', error)
