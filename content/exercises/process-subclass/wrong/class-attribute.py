# fails: each child squares its number
import multiprocessing


class Squarer(multiprocessing.Process):
    n = 0

    def __init__(self, n):
        super().__init__()
        Squarer.n = n

    def run(self):
        print(f"{self.n} squared is {self.n * self.n}")


if __name__ == '__main__':
    squarers = [Squarer(n) for n in range(1, 5)]
    for p in squarers:
        p.start()
    for p in squarers:
        p.join()
