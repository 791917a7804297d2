# fails: uses a callback
from concurrent.futures import ProcessPoolExecutor


def task(n):
    return n * n


if __name__ == '__main__':
    with ProcessPoolExecutor(3) as pool:
        for n in range(6):
            print(f"result: {pool.submit(task, n).result()}")
    print("all done")
