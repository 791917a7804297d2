import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

SECONDS = 0.5                     # each way of working gets this long
BLOCK = range(100_000, 102_000)   # one block of work: test these 2,000 numbers for primes

def is_prime(n):
    """Trial division in pure Python: slow on purpose, and it holds the GIL all the time."""
    return all(n % d for d in range(2, int(n ** 0.5) + 1))

def work_until(deadline):
    """Test BLOCK again and again until the deadline; return how many numbers were tested."""
    tested = 0
    while time.monotonic() < deadline:
        sum(map(is_prime, BLOCK))
        tested += len(BLOCK)
    return tested

def measure(label, pool_class=None):
    if pool_class is None:
        tested = work_until(time.monotonic() + SECONDS)
    else:
        with pool_class(2) as pool:
            list(pool.map(abs, range(2)))  # start both workers before the clock starts
            deadline = time.monotonic() + SECONDS
            tested = sum(pool.map(work_until, [deadline, deadline]))
    print(f'{label:<12} {tested:>7,} numbers tested in {SECONDS} s')
    return tested

if __name__ == '__main__':
    cores = len(os.sched_getaffinity(0))  # os.process_cpu_count() on Python 3.13+
    print(f'cores this run may use: {cores}')
    serial = measure('serial')
    threads = measure('2 threads', ThreadPoolExecutor)
    processes = measure('2 processes', ProcessPoolExecutor)
    if cores < 2:
        print('only one core: two processes can only take turns on it, so no speed-up is shown')
    else:
        print(f'speed-up over serial: 2 threads {threads / serial:.2f}x, 2 processes {processes / serial:.2f}x')
