import time
from concurrent.futures import ProcessPoolExecutor

def task(num):
    print('running')
    time.sleep(2)
    
if __name__ == '__main__':
    pool = ProcessPoolExecutor(4)
    for i in range(10):
        pool.submit(task, i)
    pool.shutdowm(True) # wait until every task in the pool has finished, then carry on
