import time
from multiprocessing import Pool


def square(n):
    time.sleep(0.2)
    return n * n


if __name__ == '__main__':
    with Pool(2) as pool:
        results = [pool.apply_async(square, (n,)) for n in range(6)]
        pool.close()  # no more tasks
        pool.join()   # wait until the workers have done them, before the block ends
    for n, result in enumerate(results):
        print(f'square of {n} is {result.get()}')
