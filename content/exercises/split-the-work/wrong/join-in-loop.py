# fails: the workers run at the same time
import multiprocessing

LIMIT = 80_000
PIECES = 4

def count_primes(start, stop):
    count = 0
    for n in range(max(start, 2), stop):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            count += 1
    return count

def worker(pieces, counts):
    counts.put(sum(count_primes(start, stop) for start, stop in pieces))

if __name__ == '__main__':
    step = LIMIT // PIECES
    pieces = [(i * step, (i + 1) * step) for i in range(PIECES)]
    counts = multiprocessing.Queue()
    total = 0
    for half in (pieces[:2], pieces[2:]):
        p = multiprocessing.Process(target=worker, args=(half, counts))
        p.start()
        total += counts.get()
        p.join()
    print(f'{total} primes below {LIMIT}')
