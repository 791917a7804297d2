# fails: all done comes last
import multiprocessing
import time


def task(n):
    print(f"worker {n} starting")
    time.sleep(1)
    print(f"worker {n} done")


if __name__ == '__main__':
    for n in range(4):
        multiprocessing.Process(target=task, args=(n,)).start()
    print("all done")
