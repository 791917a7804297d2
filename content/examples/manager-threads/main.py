import threading
from multiprocessing import Manager


def add(items, start):
    for n in range(start, start + 5):
        items.append(n)


if __name__ == '__main__':
    with Manager() as manager:
        items = manager.list()
        # One proxy, four threads: each thread gets its own connection to the manager.
        threads = [threading.Thread(target=add, args=(items, start)) for start in (0, 5, 10, 15)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(len(items), 'items;', 'all there:', sorted(items) == list(range(20)))
