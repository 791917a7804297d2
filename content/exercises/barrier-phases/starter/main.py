import time
from multiprocessing import Process


def worker(n):
    time.sleep(0.4 * n)  # phase 1 takes each worker a different time
    print(f'worker {n} finished phase 1')
    print(f'worker {n} started phase 2')


if __name__ == '__main__':
    workers = [Process(target=worker, args=(n,)) for n in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join()
