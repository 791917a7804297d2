# fails: the parent sees the squares
from multiprocessing import Process

numbers = [0] * 8


def fill(start):
    for i in range(start, len(numbers), 2):
        numbers[i] = i * i


if __name__ == '__main__':
    workers = [Process(target=fill, args=(start,)) for start in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(numbers)
