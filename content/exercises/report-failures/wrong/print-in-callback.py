# fails: failures reported
from concurrent.futures import ProcessPoolExecutor


def check(n):
    if n % 3 == 2:
        raise ValueError(f'{n} is not allowed')
    return n * n


def reporter(n):
    def report(future):
        print(f'task {n}: {future.result()}')
    return report


if __name__ == '__main__':
    with ProcessPoolExecutor(2) as pool:
        for n in range(6):
            pool.submit(check, n).add_done_callback(reporter(n))
    print('all tasks reported')
