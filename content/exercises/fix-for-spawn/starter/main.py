import multiprocessing

if __name__ == '__main__':
    children = []
    for n in range(4):
        p = multiprocessing.Process(target=lambda n=n: print(f'the square of {n} is {n * n}'))
        p.start()
        children.append(p)
    for p in children:
        p.join()
