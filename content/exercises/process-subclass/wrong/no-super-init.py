# fails: clean exits
import multiprocessing


class Squarer(multiprocessing.Process):
    def __init__(self, n):
        self.n = n

    def run(self):
        print(f"{self.n} squared is {self.n * self.n}")


if __name__ == '__main__':
    squarers = [Squarer(n) for n in range(1, 5)]
    for p in squarers:
        p.start()
    for p in squarers:
        p.join()
