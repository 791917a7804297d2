import multiprocessing
from concurrent.futures import ProcessPoolExecutor

def task():
    return multiprocessing.current_process().name

if __name__ == '__main__':
    with ProcessPoolExecutor(4) as pool:
        print('one task ran in', pool.submit(task).result())
        print('worker processes started:', len(multiprocessing.active_children()))
