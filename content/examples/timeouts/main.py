import queue
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
from multiprocessing import Process, Queue

def slow(q):
    time.sleep(1)
    q.put('done')

def nap(seconds):
    time.sleep(seconds)
    return seconds

if __name__ == '__main__':
    # A process and a queue
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

    # A pool's futures
    with ProcessPoolExecutor(2) as pool:
        quick = pool.submit(nap, 0.1)
        slow_one = pool.submit(nap, 1.0)
        try:
            slow_one.result(timeout=0.2)
        except TimeoutError:
            print('result(timeout=0.2) raised TimeoutError; done:', slow_one.done())

        done, not_done = wait([quick, slow_one], timeout=5, return_when=FIRST_COMPLETED)
        print('wait() returned', [f.result() for f in done], 'done and', len(not_done), 'not done')

        try:
            for future in as_completed([slow_one], timeout=0.2):
                print('as_completed gave', future.result())
        except TimeoutError:
            print('as_completed(timeout=0.2) raised TimeoutError')

        print('result(timeout=5) returned', slow_one.result(timeout=5))
