# fails: three children
import multiprocessing
from pathlib import Path


def task(n, greeting):
    print(f"child {n} says: {greeting}")


if __name__ == '__main__':
    greeting = Path("greeting.txt").read_text().strip()
    for n in range(3):
        task(n, greeting)
