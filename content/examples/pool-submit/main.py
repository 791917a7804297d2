import time
from concurrent.futures import ProcessPoolExecutor

def task(num):
    print('running')
    time.sleep(0.5)

if __name__ == '__main__':
    pool = ProcessPoolExecutor(4)
    for i in range(10):
        pool.submit(task, i)
    pool.shutdown(True)  # wait until every task in the pool has finished, then carry on
    print('all tasks are done')
