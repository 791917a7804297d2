# fails: clean exits
import multiprocessing
from pathlib import Path


def task(n, greeting):
    print(f"child {n} says: {greeting}")


if __name__ == '__main__':
    greeting = Path("greeting.txt").read_text().strip()
    children = [multiprocessing.Process(target=task, args=(n, greeting)) for n in range(2)]
    children.append(multiprocessing.Process(target=task, args=(greeting)))
    for p in children:
        p.start()
    for p in children:
        p.join()
