import multiprocessing
import queue

def worker(results, finished):
    results.put(open('main.py'))  # an open file cannot be pickled, but put() does not pickle
    print('child: put() returned without an error')
    results.close()
    results.join_thread()         # wait until the queue's feeder thread has dealt with it
    finished.set()

if __name__ == '__main__':
    results = multiprocessing.Queue()
    finished = multiprocessing.Event()
    p = multiprocessing.Process(target=worker, args=(results, finished))
    p.start()
    finished.wait()
    try:
        print('parent: got', results.get(timeout=1))
    except queue.Empty:
        print('parent: get() waited 1 second and gave up: nothing arrived')
    p.join()
    print('parent: the child exited with code', p.exitcode)
