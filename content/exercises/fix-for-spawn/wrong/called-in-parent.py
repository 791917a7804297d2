# fails: each child prints its own square
import multiprocessing

def square(n):
    print(f'the square of {n} is {n * n}')

if __name__ == '__main__':
    children = []
    for n in range(4):
        p = multiprocessing.Process(target=square(n))  # calls square here, in the parent
        p.start()
        children.append(p)
    for p in children:
        p.join()
