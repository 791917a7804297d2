# fails: every entry arrives
from multiprocessing import Manager, Process


def work(n, shared):
    shared['log'].append(f'entry from worker {n}')


if __name__ == '__main__':
    with Manager() as manager:
        shared = manager.dict()
        shared['log'] = manager.list()
        workers = [Process(target=work, args=(n, shared)) for n in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        print(shared['log'])  # one line: the proxy, not the entries
