import multiprocessing
from concurrent.futures import ProcessPoolExecutor

def add_one(counter):
    with counter.get_lock():
        counter.value += 1

if __name__ == '__main__':
    counter = multiprocessing.Value('i', 0)  # an int in shared memory, with its own lock

    p = multiprocessing.Process(target=add_one, args=(counter,))
    p.start()
    p.join()
    print('after the child process:', counter.value)

    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(add_one, counter)
        try:
            future.result()
        except RuntimeError as error:
            print('the pool task failed:', error)
    print('after the pool task:', counter.value)
