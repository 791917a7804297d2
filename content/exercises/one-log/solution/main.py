import logging
import logging.handlers
import multiprocessing

def work(n, queue):
    root = logging.getLogger()
    root.handlers = [logging.handlers.QueueHandler(queue)]  # replace, not add: fork copies the parent's
    root.setLevel(logging.INFO)
    logging.getLogger('app').info('worker %d finished', n)

if __name__ == '__main__':
    queue = multiprocessing.Queue()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter('%(processName)s %(message)s'))
    listener = logging.handlers.QueueListener(queue, handler)
    listener.start()
    workers = [multiprocessing.Process(target=work, args=(n, queue)) for n in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    listener.stop()
