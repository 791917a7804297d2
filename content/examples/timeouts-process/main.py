import queue
import time
from multiprocessing import Process, Queue

def slow(q):
    time.sleep(1)
    q.put('done')

if __name__ == '__main__':
    q = Queue()
    p = Process(target=slow, args=(q,))
    p.start()

    p.join(timeout=0.2)
    print('after join(timeout=0.2): alive', p.is_alive(), 'exitcode', p.exitcode)
    try:
        q.get(timeout=0.2)
    except queue.Empty:
        print('get(timeout=0.2) raised queue.Empty')

    print('get(timeout=5) returned', repr(q.get(timeout=5)))
    p.join(timeout=5)
    print('after join(timeout=5): alive', p.is_alive(), 'exitcode', p.exitcode)
