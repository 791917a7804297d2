import multiprocessing

def task():
    name = []
    for i in range(10):
        name.append(i)
    print("child's name:", name)


if __name__ == '__main__':
    name = []

    p1 = multiprocessing.Process(target=task)
    p1.start()
    p1.join()

    print("main's name:", name)
