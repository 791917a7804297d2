from concurrent.futures import ProcessPoolExecutor
from functools import partial

def square(x):
    return x * x

def power(x, exponent):
    return x ** exponent

if __name__ == '__main__':
    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(lambda x: x * x, 7)
        try:
            print('lambda:', future.result())
        except Exception as error:
            print(f'lambda: {type(error).__name__}: {error}')
        print('top-level function:', pool.submit(square, 7).result())
        print('partial of a top-level function:', pool.submit(partial(power, exponent=3), 7).result())
