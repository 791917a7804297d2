from multiprocessing import Process, Value

WORKERS = 4
ADDS = 2_000  # per process: a small job, over almost as soon as it starts

def add(counter):
    for _ in range(ADDS):
        counter.value += 1

if __name__ == '__main__':
    counter = Value('i', 0)
    workers = [Process(target=add, args=(counter,)) for _ in range(WORKERS)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    print('expected:', WORKERS * ADDS)
    print('counted: ', counter.value)
