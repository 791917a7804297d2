import multiprocessing

def helper(n):
    print(f'helper {n} ready')

def start_helpers():
    ctx = multiprocessing.get_context('spawn')  # spawn for these helpers; the default stays as it is
    helpers = [ctx.Process(target=helper, args=(n,)) for n in range(2)]
    for p in helpers:
        p.start()
    return helpers

if __name__ == '__main__':
    for p in start_helpers():
        p.join()
