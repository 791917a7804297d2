import time
from multiprocessing import Process


def worker():
    rounds = 0
    try:
        while True:
            rounds += 1  # one small piece of work
            time.sleep(0.05)
    finally:
        print(f'worker: saved {rounds} rounds')


if __name__ == '__main__':
    p = Process(target=worker)
    p.start()
    time.sleep(0.5)
    p.terminate()
    p.join()
    print(f'worker exit code: {p.exitcode}')
