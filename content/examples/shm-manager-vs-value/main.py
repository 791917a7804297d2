import time
from multiprocessing import Manager, Process, Value

N = 1_000  # increments per process


def bump_dict(shared, lock):
    for _ in range(N):
        with lock:
            shared['count'] += 1


def bump_value(counter):
    for _ in range(N):
        with counter.get_lock():
            counter.value += 1


def timed(target, args):
    workers = [Process(target=target, args=args) for _ in range(2)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


if __name__ == '__main__':
    with Manager() as manager:
        shared, lock = manager.dict(count=0), manager.Lock()
        seconds = timed(bump_dict, (shared, lock))
        print(f'Manager dict: {shared["count"]} in {seconds:.3f} s')
    counter = Value('i', 0)
    seconds = timed(bump_value, (counter,))
    print(f'Value:        {counter.value} in {seconds:.3f} s')
