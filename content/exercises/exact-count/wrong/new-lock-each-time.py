# fails: every addition counted
from multiprocessing import Barrier, Lock, Process, Value

WORKERS = 4
ADDS = 300  # per process


def add(counter, start):
    start.wait()  # begin together
    for _ in range(ADDS):
        with Lock():  # a new lock in every step
            counter.value += 1


if __name__ == '__main__':
    counter = Value('i', 0)
    start = Barrier(WORKERS)
    workers = [Process(target=add, args=(counter, start)) for _ in range(WORKERS)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    print(f'expected: {WORKERS * ADDS}')
    print(f'counted: {counter.value}')
