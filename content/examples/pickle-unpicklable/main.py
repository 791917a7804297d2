import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

def describe(thing):
    return type(thing).__name__

if __name__ == '__main__':
    with open('main.py') as file, ProcessPoolExecutor(1) as pool:
        things = [
            ('an open file', file),
            ('a generator', (n * n for n in range(3))),
            ('a threading.Lock', threading.Lock()),
            ('a multiprocessing.Lock', multiprocessing.Lock()),
            ('a file name', 'main.py'),
            ('a list', [n * n for n in range(3)]),
        ]
        for label, thing in things:
            try:
                print(f'{label}: arrived as {pool.submit(describe, thing).result()}')
            except Exception as error:
                print(f'{label}: {type(error).__name__}: {error}')
