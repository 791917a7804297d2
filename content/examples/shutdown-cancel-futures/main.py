import time
from concurrent.futures import ProcessPoolExecutor

def task(n):
    time.sleep(0.5)  # long enough that shutdown() comes while task 1 still runs
    return n

if __name__ == '__main__':
    pool = ProcessPoolExecutor(1)
    futures = [pool.submit(task, n) for n in range(8)]
    print('first result:', futures[0].result())
    pool.shutdown(wait=True, cancel_futures=True)
    print('ran:', [f.result() for f in futures if not f.cancelled()])
    print('cancelled:', [n for n, f in enumerate(futures) if f.cancelled()])
