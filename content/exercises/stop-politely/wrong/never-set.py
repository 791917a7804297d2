# fails: the worker ends by itself
import time
from multiprocessing import Event, Process


def worker(stop):
    rounds = 0
    try:
        while not stop.is_set():
            rounds += 1  # one small piece of work
            time.sleep(0.05)
    finally:
        print(f'worker: saved {rounds} rounds')


if __name__ == '__main__':
    stop = Event()
    p = Process(target=worker, args=(stop,))
    p.start()
    time.sleep(0.5)
    p.join()  # waits for a worker that nobody asked to stop
    print(f'worker exit code: {p.exitcode}')
