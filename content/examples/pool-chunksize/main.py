import time
from multiprocessing import Pool


def tiny(n):
    return n + 1


if __name__ == '__main__':
    with Pool(2) as pool:
        pool.map(tiny, range(10))  # let both workers start before the clock does
        for chunksize in (1, 500):
            start = time.perf_counter()
            results = pool.map(tiny, range(10_000), chunksize=chunksize)
            elapsed = time.perf_counter() - start
            print(f'chunksize {chunksize:>3}: {len(results)} results in {elapsed:.3f} s')
