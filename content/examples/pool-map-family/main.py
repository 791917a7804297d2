import time
from multiprocessing import Pool


def square(n):
    time.sleep(0.1 * (4 - n))  # the first tasks take the longest
    return n * n


def power(base, exponent):
    return base ** exponent


if __name__ == '__main__':
    with Pool(3) as pool:
        print('map           ', pool.map(square, range(5)))
        print('imap          ', list(pool.imap(square, range(5))))
        print('imap_unordered', list(pool.imap_unordered(square, range(5))))
        print('starmap       ', pool.starmap(power, [(2, 3), (3, 2), (10, 0)]))
