# fails: the workers do not write the log themselves
import logging
import multiprocessing

def work(n):
    logging.basicConfig(level=logging.INFO, format='%(processName)s %(message)s')
    logging.getLogger('app').info('worker %d finished', n)

if __name__ == '__main__':
    workers = [multiprocessing.Process(target=work, args=(n,)) for n in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
