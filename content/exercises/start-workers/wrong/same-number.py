# fails: each worker finishes once
import multiprocessing
import time


def task(n):
    print(f"worker {n} starting")
    time.sleep(1)
    print(f"worker {n} done")


if __name__ == '__main__':
    workers = [multiprocessing.Process(target=task, args=(0,)) for n in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    print("all done")
