import multiprocessing

def task(args):
    print('task received', args)

def run():
    p1 = multiprocessing.Process(target=task, args=('xxx',))
    p1.start()

if __name__ == '__main__':
    run()
