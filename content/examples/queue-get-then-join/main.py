from multiprocessing import Process, Queue

def produce(q):
    q.put(b'x' * 1_000_000)  # 1 MB, far more than a pipe holds
    print('child: put() has returned; exiting')

if __name__ == '__main__':
    q = Queue()
    p = Process(target=produce, args=(q,))
    p.start()
    data = q.get()  # read first: this lets the child's data through
    p.join()        # now the child can finish
    print('parent: got', len(data), 'bytes; the child exited with', p.exitcode)
