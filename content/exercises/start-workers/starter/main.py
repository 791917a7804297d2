import multiprocessing
import time


def task(n):
    print(f"worker {n} starting")
    time.sleep(1)
    print(f"worker {n} done")


if __name__ == '__main__':
    p = multiprocessing.Process(target=task, args=(0,))
    p.start()
    p.join()
    print("all done")
