import os
import time
from concurrent.futures import ProcessPoolExecutor

LIMIT = 96_000  # count the primes below this number
PIECES = 12     # 12 pieces share out evenly among 1, 2, 3 or 4 workers

def count_primes(start, stop):
    count = 0
    for n in range(max(start, 2), stop):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            count += 1
    return count

if __name__ == '__main__':
    cores = len(os.sched_getaffinity(0))
    print(f'cores this run may use: {cores}')
    step = LIMIT // PIECES
    starts = [i * step for i in range(PIECES)]
    stops = [start + step for start in starts]
    for workers in range(1, 5):
        start = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            primes = sum(pool.map(count_primes, starts, stops))
        seconds = time.perf_counter() - start
        print(f'{workers} worker{"s" if workers > 1 else " "}: {primes} primes in {seconds:.2f} s')
    if cores < 2:
        print('only one core: the workers took turns on it, so more of them cannot help')
