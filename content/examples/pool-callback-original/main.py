import time
from concurrent.futures import ProcessPoolExecutor

def task(num):
    print('running')
    time.sleep(2)
    return num

def done(res):
    print(res.result())
    
if __name__ == '__main__':
    pool = ProcessPoolExecutor(4)
    for i in range(10):
        fur = pool.submit(task, i)
        fur.add_done_callback(done) # run the callback when the task finishes
    
    print(multiprocessing.current_process())
    pool.shutdowm(True) # wait until every task in the pool has finished, then carry on
