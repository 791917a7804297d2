from concurrent.futures import ProcessPoolExecutor

def square(n):
    return n * n

def report(future):
    raise RuntimeError(f'the callback failed on {future.result()}')

if __name__ == '__main__':
    with ProcessPoolExecutor(2) as pool:
        future = pool.submit(square, 7)
        future.add_done_callback(report)
        print('result() still works:', future.result())
    print('the program ends normally')
