import threading
from multiprocessing import Pool, current_process


def work(n):
    if n == 3:
        raise ValueError(f'{n} is unlucky')
    return n * 10, current_process().name


def where():
    return f'{current_process().name}, {threading.current_thread().name}'


def done(result):
    value, worker = result
    print(f'{value:>2} from {worker}; the callback ran in {where()}')


def failed(error):
    print(f'error_callback got {error!r}; it ran in {where()}')


if __name__ == '__main__':
    with Pool(2) as pool:
        results = [pool.apply_async(work, (n,), callback=done, error_callback=failed) for n in range(5)]
        pool.close()  # no more tasks
        pool.join()   # wait for the workers to finish them
    print('successful:', [r.successful() for r in results])
    try:
        results[3].get()
    except ValueError as error:
        print('get() raised', repr(error))
