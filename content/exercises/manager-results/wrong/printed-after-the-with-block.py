# fails: the main process prints every result
import multiprocessing
import time


def work(n, results):
    time.sleep(0.5)  # the work takes a moment
    results[n] = n * n


if __name__ == '__main__':
    with multiprocessing.Manager() as manager:
        results = manager.dict()
        workers = [multiprocessing.Process(target=work, args=(n, results)) for n in range(4)]
        for p in workers:
            p.start()
        for p in workers:
            p.join()
    for n, square in sorted(results.items()):
        print(f"{n} -> {square}")
