# fails: a pool does the work
import time


def square(n):
    time.sleep(0.2)
    return n * n


if __name__ == '__main__':
    for n in range(6):
        print(f'square of {n} is {square(n)}')
