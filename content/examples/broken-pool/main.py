import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

def work(n):
    if n == 2:
        os._exit(1)  # the worker vanishes, with no exception to send back
    return n

if __name__ == '__main__':
    pool = ProcessPoolExecutor(1)
    futures = [pool.submit(work, n) for n in range(6)]
    for n, future in enumerate(futures):
        try:
            print(f'task {n}: {future.result()}')
        except BrokenProcessPool as error:
            print(f'task {n}: BrokenProcessPool: {error}')
    try:
        pool.submit(work, 9)
    except BrokenProcessPool as error:
        print('submit() now raises:', error)
    pool.shutdown()
