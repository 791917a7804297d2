import multiprocessing
from concurrent.futures import ProcessPoolExecutor

def whoami(n):
    return n, multiprocessing.current_process().name

if __name__ == '__main__':
    print('the start method of this program:', multiprocessing.get_start_method())
    with ProcessPoolExecutor(1, max_tasks_per_child=1) as pool:
        for n, worker in pool.map(whoami, range(2)):
            print(f'task {n} ran in {worker}')
    try:
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('fork'),
                            max_tasks_per_child=1)
    except ValueError as error:
        print('with a fork context:', error)
