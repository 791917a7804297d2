from multiprocessing import Process, Queue

def produce(q):
    q.put(b'x' * 1_000_000)  # 1 MB, far more than a pipe holds
    print('child: put() has returned; exiting')

if __name__ == '__main__':
    q = Queue()
    p = Process(target=produce, args=(q,))
    p.start()
    p.join()  # waits for the child, and the child waits for someone to read
    data = q.get()
    print('parent: got', len(data), 'bytes')
