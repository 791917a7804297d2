import multiprocessing

def task():
    pass

if __name__ == '__main__':
    print('Start...') # main process
    p1 = multiprocessing(target=task) # child process
    p1.start()
