import os
import time
from concurrent.futures import ProcessPoolExecutor

SECONDS = 0.25                    # each row gets this long
BLOCK = range(100_000, 102_000)   # one block of work: test these 2,000 numbers for primes

def is_prime(n):
    return all(n % d for d in range(2, int(n ** 0.5) + 1))

def work_until(deadline):
    """Test BLOCK again and again until the deadline; return how many numbers were tested."""
    tested = 0
    while time.monotonic() < deadline:
        sum(map(is_prime, BLOCK))
        tested += len(BLOCK)
    return tested

if __name__ == '__main__':
    cores = len(os.sched_getaffinity(0))
    print(f'cores this run may use: {cores}')
    with ProcessPoolExecutor(4) as pool:
        list(pool.map(abs, range(4)))  # four tasks at once: the pool starts all four workers first
        for workers in range(1, 5):
            deadline = time.monotonic() + SECONDS
            tested = sum(pool.map(work_until, [deadline] * workers))  # one task each for `workers` workers
            print(f'{workers} worker{"s" if workers > 1 else " "}: {tested:>7,} numbers tested in {SECONDS} s')
    if cores < 2:
        print('only one core: the workers took turns on it, so more of them cannot help')
