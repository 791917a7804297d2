# fails: the program finishes
import time
from multiprocessing import Barrier, Process


def worker(n, barrier):
    time.sleep(0.4 * n)
    print(f'worker {n} finished phase 1')
    barrier.wait()
    print(f'worker {n} started phase 2')


if __name__ == '__main__':
    barrier = Barrier(2)  # one party short: the third worker waits for a partner that never comes
    workers = [Process(target=worker, args=(n, barrier)) for n in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join()
