# fails: the workers do not write the log themselves
import logging
import logging.handlers
import multiprocessing

def work(n, queue):
    root = logging.getLogger()
    root.addHandler(logging.handlers.QueueHandler(queue))
    root.setLevel(logging.INFO)
    logging.getLogger('app').info('worker %d finished', n)

if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO, format='%(processName)s %(message)s')
    queue = multiprocessing.Queue()
    listener = logging.handlers.QueueListener(queue, *logging.getLogger().handlers)
    listener.start()
    workers = [multiprocessing.Process(target=work, args=(n, queue)) for n in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    listener.stop()
