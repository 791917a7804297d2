# fails: four children
import multiprocessing

if __name__ == '__main__':
    def square(n):
        print(f'the square of {n} is {n * n}')

    children = []
    for n in range(4):
        p = multiprocessing.Process(target=square, args=(n,))
        p.start()
        children.append(p)
    for p in children:
        p.join()
