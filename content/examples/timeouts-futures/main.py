import time
from concurrent.futures import (FIRST_COMPLETED, ProcessPoolExecutor,
                                as_completed, wait)

def nap(seconds):
    time.sleep(seconds)
    return seconds

if __name__ == '__main__':
    with ProcessPoolExecutor(2) as pool:
        quick = pool.submit(nap, 0.1)
        slow = pool.submit(nap, 1.0)
        try:
            slow.result(timeout=0.2)
        except TimeoutError:
            print('result(timeout=0.2) raised TimeoutError; done:', slow.done())

        done, not_done = wait([quick, slow], timeout=5, return_when=FIRST_COMPLETED)
        print('wait() returned', [f.result() for f in done], 'done and', len(not_done), 'not done')

        try:
            for future in as_completed([slow], timeout=0.2):
                print('as_completed gave', future.result())
        except TimeoutError:
            print('as_completed(timeout=0.2) raised TimeoutError')

        print('result(timeout=5) returned', slow.result(timeout=5))
