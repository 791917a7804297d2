# fails: the main process reports the pids
import multiprocessing
import os


def task():
    me = multiprocessing.current_process()
    print(f"I am {me.name}, pid {os.getpid()}")


if __name__ == '__main__':
    children = [multiprocessing.Process(target=task, name=f"worker-{n}") for n in range(3)]
    for p in children:
        p.start()
    for p in children:
        p.join()
    for p in children:
        print(f"{p.name} had pid {os.getpid()}")
