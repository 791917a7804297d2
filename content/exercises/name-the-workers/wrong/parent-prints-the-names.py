# fails: each child knows its name
import multiprocessing
import os


def task():
    pass


if __name__ == '__main__':
    children = [multiprocessing.Process(target=task, name=f"worker-{n}") for n in range(3)]
    for p in children:
        p.start()
        print(f"I am {p.name}, pid {p.pid}")
    for p in children:
        p.join()
    for p in children:
        print(f"{p.name} had pid {p.pid}")
