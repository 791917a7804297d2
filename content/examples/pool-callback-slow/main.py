import time
from concurrent.futures import ProcessPoolExecutor

ended = {}

def task(n):
    return n

def slow(future):
    time.sleep(1)  # a callback that takes its time
    ended['slow callback'] = time.monotonic()

if __name__ == '__main__':
    with ProcessPoolExecutor(2) as pool:
        first = pool.submit(task, 1)
        first.add_done_callback(slow)
        first.result()
        second = pool.submit(task, 2)  # a task that takes no time at all
        second.result()
        ended['second task'] = time.monotonic()
    print('the second result came after the slow callback had returned:', ended['second task'] >= ended['slow callback'])
