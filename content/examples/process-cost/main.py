import multiprocessing
import pickle
import time
from concurrent.futures import ProcessPoolExecutor

N = 1_000_000

def nothing():
    pass

def total_of(numbers):
    return sum(numbers)

def total_of_range(start, stop):
    return sum(range(start, stop))

if __name__ == '__main__':
    start = time.perf_counter()
    p = multiprocessing.Process(target=nothing)
    p.start()
    p.join()
    print(f'start and join one process that does nothing: {time.perf_counter() - start:.3f} s')

    numbers = list(range(N))
    print(f'a list of {N:,} numbers pickles to {len(pickle.dumps(numbers)):,} bytes')
    with ProcessPoolExecutor(1) as pool:
        pool.submit(nothing).result()  # start the worker first, so only sending is timed below

        start = time.perf_counter()
        answer = pool.submit(total_of, numbers).result()
        print(f'send the list, sum it in the worker:   {answer} in {time.perf_counter() - start:.3f} s')

        start = time.perf_counter()
        answer = pool.submit(total_of_range, 0, N).result()
        print(f'send two numbers, sum the range there: {answer} in {time.perf_counter() - start:.3f} s')
