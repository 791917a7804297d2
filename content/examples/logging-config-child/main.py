import logging
import multiprocessing

log = logging.getLogger('app')

def task():
    log.info('the child reports progress')
    log.warning('the child warns')

if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO, format='%(processName)s %(levelname)s: %(message)s')
    log.info('the parent has configured logging')
    p = multiprocessing.Process(target=task)
    p.start()
    p.join()
