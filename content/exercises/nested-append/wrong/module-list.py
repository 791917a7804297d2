# fails: every entry arrives
from multiprocessing import Process

log = []


def work(n):
    log.append(f'entry from worker {n}')


if __name__ == '__main__':
    workers = [Process(target=work, args=(n,)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for entry in log:
        print(entry)
