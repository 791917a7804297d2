import multiprocessing
import queue

if __name__ == '__main__':
    q = multiprocessing.Queue()

    q.put(lambda: 1)  # returns at once: the feeder thread pickles the item later
    print('put() returned')
    try:
        print(q.get(timeout=1))
    except queue.Empty:
        print('get() gave up after 1 s: the item was never sent')

    items = ['a', 'b']
    q.put(items)
    items.append('c')  # a change made after put() but before the feeder pickled it
    print('got', q.get(timeout=1))
