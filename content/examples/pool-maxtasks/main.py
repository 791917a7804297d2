import os
from multiprocessing import Pool


def whoami(n):
    return os.getpid()


if __name__ == '__main__':
    with Pool(2, maxtasksperchild=2) as pool:
        pids = pool.map(whoami, range(8), chunksize=1)
    workers = set(pids)
    print(f'8 tasks ran in {len(workers)} worker processes')
    print('no worker ran more than 2 tasks:', all(pids.count(pid) <= 2 for pid in workers))
