from multiprocessing import Array, Process, Value


def fill(squares, start, total):
    """Fill every second slot from ``start`` with its square, and add them to the total."""
    mine = 0
    for i in range(start, len(squares), 2):
        squares[i] = i * i
        mine += i * i
    with total.get_lock():  # += on a Value is a read and a write: see the lesson on races
        total.value += mine


if __name__ == '__main__':
    squares = Array('i', 10)  # ten C ints in shared memory, all 0
    total = Value('q', 0)     # one C long long, with a lock of its own
    workers = [Process(target=fill, args=(squares, start, total)) for start in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print('squares:', list(squares))
    print('total:  ', total.value)
