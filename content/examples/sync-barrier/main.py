import time
from multiprocessing import Barrier, Process


def worker(n, barrier):
    time.sleep(0.1 * n)  # phase 1 takes each worker a different time
    print(f'worker {n} finished phase 1')
    barrier.wait()       # nobody goes on until all three are here
    print(f'worker {n} started phase 2')


if __name__ == '__main__':
    barrier = Barrier(3)
    workers = [Process(target=worker, args=(n, barrier)) for n in range(3)]
    for worker_process in workers:
        worker_process.start()
    for worker_process in workers:
        worker_process.join()
