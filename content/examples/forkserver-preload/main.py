import importlib
import multiprocessing
import sys
import time

MODULE = 'asyncio'  # a standard-library package that takes some milliseconds to import

def task(n):
    if MODULE in sys.modules:
        print(f'task {n}: {MODULE} was already imported')
    else:
        start = time.perf_counter()
        importlib.import_module(MODULE)
        print(f'task {n}: imported {MODULE} itself in {time.perf_counter() - start:.3f} s')

if __name__ == '__main__':
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload([MODULE])  # the server imports it once; its children inherit it
    children = [ctx.Process(target=task, args=(n,)) for n in range(3)]
    for p in children:
        p.start()
    for p in children:
        p.join()
