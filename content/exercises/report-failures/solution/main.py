from concurrent.futures import ProcessPoolExecutor


def check(n):
    if n % 3 == 2:
        raise ValueError(f'{n} is not allowed')
    return n * n


if __name__ == '__main__':
    with ProcessPoolExecutor(2) as pool:
        futures = [pool.submit(check, n) for n in range(6)]
        for n, future in enumerate(futures):
            try:
                print(f'task {n}: {future.result()}')
            except ValueError as error:
                print(f'task {n} failed: {error}')
    print('all tasks reported')
