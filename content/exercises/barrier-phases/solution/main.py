import time
from multiprocessing import Barrier, Process


def worker(n, barrier):
    time.sleep(0.4 * n)  # phase 1 takes each worker a different time
    print(f'worker {n} finished phase 1')
    barrier.wait()       # wait here until all three have finished phase 1
    print(f'worker {n} started phase 2')


if __name__ == '__main__':
    barrier = Barrier(3)
    workers = [Process(target=worker, args=(n, barrier)) for n in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join()
