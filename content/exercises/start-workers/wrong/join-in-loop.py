# fails: workers run at the same time
import multiprocessing
import time


def task(n):
    print(f"worker {n} starting")
    time.sleep(1)
    print(f"worker {n} done")


if __name__ == '__main__':
    for n in range(4):
        p = multiprocessing.Process(target=task, args=(n,))
        p.start()
        p.join()
    print("all done")
