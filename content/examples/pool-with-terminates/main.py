import time
from multiprocessing import Pool, TimeoutError


def slow(n):
    time.sleep(0.5)
    return n


if __name__ == '__main__':
    with Pool(2) as pool:
        result = pool.apply_async(slow, (1,))
    # Leaving the block called pool.terminate(): the task was killed half-way.
    try:
        print('result:', result.get(timeout=1))
    except TimeoutError:
        print('no result after 1 s, though the task needs only 0.5 s')
    print('ready:', result.ready())
