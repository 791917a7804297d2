# fails: clean exits
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Array


def fill(numbers, start):
    for i in range(start, len(numbers), 2):
        numbers[i] = i * i


if __name__ == '__main__':
    numbers = Array('i', 8)
    with ProcessPoolExecutor(2) as pool:
        futures = [pool.submit(fill, numbers, start) for start in (0, 1)]
        for future in futures:
            future.result()
    print(list(numbers))
