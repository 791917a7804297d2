import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Manager

def task(lock):
    with lock:
        with open('f1.txt', 'r', encoding='utf-8') as f:
            current_num = int(f.read())
        time.sleep(0.1)
        current_num -= 1
        with open('f1.txt', 'w', encoding='utf-8') as f:
            f.write(str(current_num))
        print('got one; tickets left:', current_num)

if __name__ == '__main__':
    with Manager() as manager:
        lock = manager.RLock()
        with ProcessPoolExecutor(4) as pool:
            for i in range(10):
                pool.submit(task, lock)
    # leaving the with-block shut the pool down and waited for it
    with open('f1.txt', encoding='utf-8') as f:
        print('tickets left in f1.txt:', f.read())
