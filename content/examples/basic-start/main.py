import multiprocessing

def task():
    print('Hello from the child process')

if __name__ == '__main__':
    print('Start...')  # main process
    p1 = multiprocessing.Process(target=task)  # child process
    p1.start()
    p1.join()  # wait here until the child has finished
    print('The child has finished')
