# fails: main guard
import multiprocessing
import time


def task(n):
    print(f"worker {n} starting")
    time.sleep(1)
    print(f"worker {n} done")


workers = [multiprocessing.Process(target=task, args=(n,)) for n in range(4)]
for p in workers:
    p.start()
for p in workers:
    p.join()
print("all done")
