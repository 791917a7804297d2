import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

LIMIT = 144_000  # count the primes below this number
PIECES = 12      # cut into pieces, so that two workers share the work evenly

def count_primes(start, stop):
    """Trial division in pure Python: slow on purpose, and it holds the GIL all the time."""
    count = 0
    for n in range(max(start, 2), stop):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            count += 1
    return count

def pieces():
    step = LIMIT // PIECES
    return [(i * step, (i + 1) * step) for i in range(PIECES)]

def serial():
    return sum(count_primes(start, stop) for start, stop in pieces())

def on_pool(pool_class):
    starts, stops = zip(*pieces())
    with pool_class(2) as pool:  # starting the pool is part of the cost, so it is timed too
        return sum(pool.map(count_primes, starts, stops))

def timed(label, work):
    start = time.perf_counter()
    primes = work()
    seconds = time.perf_counter() - start
    print(f'{label:<12} {primes} primes in {seconds:.2f} s')
    return seconds

if __name__ == '__main__':
    cores = len(os.sched_getaffinity(0))  # os.process_cpu_count() on Python 3.13+
    print(f'cores this run may use: {cores}')
    t_serial = timed('serial', serial)
    t_threads = timed('2 threads', lambda: on_pool(ThreadPoolExecutor))
    t_processes = timed('2 processes', lambda: on_pool(ProcessPoolExecutor))
    if cores < 2:
        print('only one core: two processes can only take turns on it, so no speed-up is shown')
    else:
        print(f'speed-up over serial: 2 threads {t_serial / t_threads:.2f}x, '
              f'2 processes {t_serial / t_processes:.2f}x')
