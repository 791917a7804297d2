from multiprocessing import Process


def fill(numbers, start):
    for i in range(start, len(numbers), 2):
        numbers[i] = i * i


if __name__ == '__main__':
    numbers = [0] * 8
    workers = [Process(target=fill, args=(numbers, start)) for start in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(numbers)
