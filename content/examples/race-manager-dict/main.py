from multiprocessing import Barrier, Manager, Process

WORKERS = 4
ADDS = 500  # per process: each += is two round trips to the manager

def add(d, start):
    start.wait()
    for _ in range(ADDS):
        d['count'] += 1  # d.__getitem__('count'), then d.__setitem__('count', ...)

if __name__ == '__main__':
    with Manager() as manager:
        d = manager.dict(count=0)
        start = Barrier(WORKERS)
        workers = [Process(target=add, args=(d, start)) for _ in range(WORKERS)]
        for p in workers:
            p.start()
        for p in workers:
            p.join()
        print('expected:', WORKERS * ADDS)
        print('counted: ', d['count'])
