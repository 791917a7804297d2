from multiprocessing import Barrier, Process, Value

WORKERS = 4
ADDS = 50_000  # per process

def add(counter, start):
    start.wait()  # begin together, however long each process took to start
    for _ in range(ADDS):
        counter.value += 1

if __name__ == '__main__':
    counter = Value('i', 0)
    start = Barrier(WORKERS)
    workers = [Process(target=add, args=(counter, start)) for _ in range(WORKERS)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    expected = WORKERS * ADDS
    print('expected:', expected)
    print('counted: ', counter.value)
    print('lost:    ', expected - counter.value)
