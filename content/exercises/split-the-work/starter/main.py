LIMIT = 80_000
PIECES = 4

def count_primes(start, stop):
    count = 0
    for n in range(max(start, 2), stop):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            count += 1
    return count

if __name__ == '__main__':
    step = LIMIT // PIECES
    starts = [i * step for i in range(PIECES)]
    stops = [start + step for start in starts]
    total = sum(count_primes(start, stop) for start, stop in zip(starts, stops))
    print(f'{total} primes below {LIMIT}')
