import time
from multiprocessing import Event, Process


def worker(n, go, stop):
    go.wait()                 # the starting gun: block until the parent fires it
    laps = 0
    while not stop.is_set():  # the stop flag: keep working until it is raised
        laps += 1
        time.sleep(0.01)
    print(f'worker {n} saw the stop flag')


if __name__ == '__main__':
    go, stop = Event(), Event()
    workers = [Process(target=worker, args=(n, go, stop)) for n in range(3)]
    for worker_process in workers:
        worker_process.start()
    print('go!')
    go.set()
    time.sleep(0.5)
    print('stop!')
    stop.set()
    for worker_process in workers:
        worker_process.join()
    print('all stopped')
