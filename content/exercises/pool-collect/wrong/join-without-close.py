# fails: clean exits
import time
from multiprocessing import Pool


def square(n):
    time.sleep(0.2)
    return n * n


if __name__ == '__main__':
    with Pool(2) as pool:
        results = [pool.apply_async(square, (n,)) for n in range(6)]
        pool.join()  # wait for the tasks... but the pool is still open
    for n, result in enumerate(results):
        print(f'square of {n} is {result.get()}')
