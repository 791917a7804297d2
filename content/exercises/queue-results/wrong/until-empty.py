# fails: the right total
import multiprocessing

SHARE = 2000


def work(w, results):
    for x in range(w * SHARE, (w + 1) * SHARE):
        results.put(x * x)


if __name__ == '__main__':
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=work, args=(w, results)) for w in range(3)]
    for p in workers:
        p.start()
    total = 0
    while not results.empty():
        total += results.get()
    for p in workers:
        p.join()
    print(f"total: {total}")
