# fails: four workers
import multiprocessing
import time


def task(n):
    print(f"worker {n} starting")
    time.sleep(1)
    print(f"worker {n} done")


if __name__ == '__main__':
    workers = [multiprocessing.Process(target=task, args=(n,)) for n in range(4)]
    for p in workers:
        p.run()
    print("all done")
