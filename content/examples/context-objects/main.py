import multiprocessing
from concurrent.futures import ProcessPoolExecutor

def hello():
    print('hello from', multiprocessing.current_process().name)

if __name__ == '__main__':
    print('the default start method:', multiprocessing.get_start_method())

    # A context has its own start method and leaves the default alone.
    spawn = multiprocessing.get_context('spawn')
    p = spawn.Process(target=hello)
    p.start()
    p.join()

    # mp_context= hands a context to a process pool.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('forkserver')) as pool:
        pool.submit(hello).result()

    # set_start_method() changes the default, but only before the default is used.
    try:
        multiprocessing.set_start_method('spawn')
    except RuntimeError as error:
        print('set_start_method(\'spawn\') failed:', error)
    multiprocessing.set_start_method('spawn', force=True)
    print('after force=True the default is', multiprocessing.get_start_method())
