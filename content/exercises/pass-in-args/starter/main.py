import multiprocessing
from pathlib import Path

GREETING = ""


def task(n):
    print(f"child {n} says: {GREETING}")


if __name__ == '__main__':
    GREETING = Path("greeting.txt").read_text().strip()
    children = [multiprocessing.Process(target=task, args=(n,)) for n in range(3)]
    for p in children:
        p.start()
    for p in children:
        p.join()
