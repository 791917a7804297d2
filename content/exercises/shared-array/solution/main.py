from multiprocessing import Array, Process


def fill(numbers, start):
    for i in range(start, len(numbers), 2):
        numbers[i] = i * i


if __name__ == '__main__':
    numbers = Array('i', 8)  # eight C ints in shared memory, all 0
    workers = [Process(target=fill, args=(numbers, start)) for start in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(list(numbers))
