import multiprocessing

names = []  # a module-level list: every process has its own copy

def task():
    names.append('added by the child')
    print('the child sees:', names)

if __name__ == '__main__':
    p = multiprocessing.Process(target=task)
    p.start()
    p.join()
    print('the parent sees:', names)
