# fails: two workers
from multiprocessing import Array, Process


def fill(numbers):
    for i in range(len(numbers)):
        numbers[i] = i * i


if __name__ == '__main__':
    numbers = Array('i', 8)
    worker = Process(target=fill, args=(numbers,))
    worker.start()
    worker.join()
    print(list(numbers))
