# fails: every child greets
import multiprocessing
from pathlib import Path

GREETING = ""


def task(n):
    global GREETING
    print(f"child {n} says: {GREETING}")


def main():
    global GREETING
    GREETING = Path("greeting.txt").read_text().strip()
    children = [multiprocessing.Process(target=task, args=(n,)) for n in range(3)]
    for p in children:
        p.start()
    for p in children:
        p.join()


if __name__ == '__main__':
    main()
