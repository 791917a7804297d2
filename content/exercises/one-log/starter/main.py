import logging
import multiprocessing

def work(n):
    logging.getLogger('app').info('worker %d finished', n)

if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO, format='%(processName)s %(message)s')
    workers = [multiprocessing.Process(target=work, args=(n,)) for n in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
