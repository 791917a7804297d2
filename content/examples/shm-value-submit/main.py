from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Value


def add_one(counter):
    with counter.get_lock():
        counter.value += 1


if __name__ == '__main__':
    counter = Value('i', 0)
    with ProcessPoolExecutor(2) as pool:
        future = pool.submit(add_one, counter)
        try:
            future.result()
        except RuntimeError as error:
            print('RuntimeError:', error)
    print('counter:', counter.value)
