import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

TASKS = 6

def wait_for_reply(i):
    """Stands for waiting on a network or a disk: the thread sleeps and uses no CPU."""
    time.sleep(0.15)
    return i

def timed(label, work):
    start = time.perf_counter()
    done = len(list(work()))
    print(f'{label:<12} {done} waits in {time.perf_counter() - start:.2f} s')

if __name__ == '__main__':
    timed('serial', lambda: map(wait_for_reply, range(TASKS)))
    with ThreadPoolExecutor(TASKS) as threads:
        timed(f'{TASKS} threads', lambda: threads.map(wait_for_reply, range(TASKS)))
    with ProcessPoolExecutor(TASKS) as processes:
        # The pool starts its workers as the tasks arrive, so this row includes starting them.
        timed(f'{TASKS} processes', lambda: processes.map(wait_for_reply, range(TASKS)))
