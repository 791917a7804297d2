# fails: started by spawn
import multiprocessing

def helper(n):
    print(f'helper {n} ready')

def start_helpers():
    ctx = multiprocessing.get_context('spawn')
    helpers = [multiprocessing.Process(target=helper, args=(n,)) for n in range(2)]  # not ctx.Process
    for p in helpers:
        p.start()
    return helpers

if __name__ == '__main__':
    for p in start_helpers():
        p.join()
