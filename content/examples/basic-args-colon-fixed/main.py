import multiprocessing

def task(args):
    pass

def run():
	p1 = multiprocessing(target=task, arg=('xxx',))
    p.start()
    
if __name__ == '__main__':
    run()
