# fails: workers run at the same time
from multiprocessing import Process, Value

WORKERS = 4
ADDS = 300  # per process


def add(counter):
    for _ in range(ADDS):
        counter.value += 1


if __name__ == '__main__':
    counter = Value('i', 0)
    for _ in range(WORKERS):
        p = Process(target=add, args=(counter,))
        p.start()
        p.join()  # each worker finishes before the next starts
    print(f'expected: {WORKERS * ADDS}')
    print(f'counted: {counter.value}')
