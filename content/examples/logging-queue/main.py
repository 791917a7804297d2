import logging
import logging.handlers
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

def send_logs_to(queue):
    """Pool initializer: every record of this worker goes onto the queue, nowhere else."""
    root = logging.getLogger()
    root.handlers = [logging.handlers.QueueHandler(queue)]
    root.setLevel(logging.INFO)

def task(n):
    logging.getLogger('app').info('task %d done in process %d', n, os.getpid())
    return n * n

if __name__ == '__main__':
    queue = multiprocessing.Queue()
    handler = logging.StreamHandler()  # the one place records are written: the parent's stderr
    handler.setFormatter(logging.Formatter('%(processName)-22s %(levelname)s %(message)s'))
    listener = logging.handlers.QueueListener(queue, handler)
    listener.start()
    with ProcessPoolExecutor(2, initializer=send_logs_to, initargs=(queue,)) as pool:
        print('results:', list(pool.map(task, range(4))))
    listener.stop()  # handles every record still on the queue, then stops its thread
