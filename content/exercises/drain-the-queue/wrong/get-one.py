# fails: the program finishes
from multiprocessing import Process, Queue


def produce(n, q):
    q.put((n, b'x' * 500_000))


if __name__ == '__main__':
    q = Queue()
    workers = [Process(target=produce, args=(n, q)) for n in range(3)]
    for p in workers:
        p.start()
    n, data = q.get()
    print(f'got {len(data)} bytes from worker {n}')
    for p in workers:
        p.join()
    print('all done')
