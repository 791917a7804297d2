import multiprocessing


class Squarer(multiprocessing.Process):
    pass


if __name__ == '__main__':
    squarers = [Squarer(n) for n in range(1, 5)]
    for p in squarers:
        p.start()
    for p in squarers:
        p.join()
