import time
from multiprocessing import Event, Process

def worker(stop):
    rounds = 0
    while not stop.is_set():
        rounds += 1  # one small piece of work
        time.sleep(0.05)
    print(f'worker: asked to stop after {rounds} rounds; saving and exiting')

if __name__ == '__main__':
    stop = Event()
    p = Process(target=worker, args=(stop,))
    p.start()
    time.sleep(0.5)
    stop.set()
    p.join(timeout=5)
    print('worker exit code:', p.exitcode)
