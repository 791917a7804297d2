# fails: every task reported
from concurrent.futures import ProcessPoolExecutor


def check(n):
    if n % 3 == 2:
        raise ValueError(f'{n} is not allowed')
    return n * n


if __name__ == '__main__':
    with ProcessPoolExecutor(2) as pool:
        try:
            for n, result in zip(range(6), pool.map(check, range(6))):
                print(f'task {n}: {result}')
        except ValueError as error:
            print(f'task {n + 1} failed: {error}')
    print('all tasks reported')
