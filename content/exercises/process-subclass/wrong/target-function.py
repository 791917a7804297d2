# fails: a subclass of Process
import multiprocessing


def square(n):
    print(f"{n} squared is {n * n}")


class Squarer(multiprocessing.Process):
    def __init__(self, n):
        super().__init__(target=square, args=(n,))


if __name__ == '__main__':
    squarers = [Squarer(n) for n in range(1, 5)]
    for p in squarers:
        p.start()
    for p in squarers:
        p.join()
