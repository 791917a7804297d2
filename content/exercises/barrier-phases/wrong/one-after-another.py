# fails: three workers at once
import time
from multiprocessing import Process


def worker(n):
    time.sleep(0.4 * n)
    print(f'worker {n} finished phase 1')
    print(f'worker {n} started phase 2')


if __name__ == '__main__':
    # Phase 1 of all before phase 2 of any? Running them one at a time only looks like it.
    for n in range(3):
        process = Process(target=worker, args=(n,))
        process.start()
        process.join()
