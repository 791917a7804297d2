# fails: the default is left alone
import multiprocessing

def helper(n):
    print(f'helper {n} ready')

def start_helpers():
    multiprocessing.set_start_method('spawn', force=True)
    helpers = [multiprocessing.Process(target=helper, args=(n,)) for n in range(2)]
    for p in helpers:
        p.start()
    return helpers

if __name__ == '__main__':
    for p in start_helpers():
        p.join()
