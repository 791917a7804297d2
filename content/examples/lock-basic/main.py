from multiprocessing import Process, RLock, Manager

def f(n, d, l, lock):
    lock.acquire()
    d[str(n)] = n
    l[n] = -99
    for _ in range(100):
        d['count'] += 1  # read the count, add one, write it back
    lock.release()

if __name__ == '__main__':
    lock = RLock()
    with Manager() as manager:
        d = manager.dict(count=0)
        l = manager.list(range(10))  # [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

        process_list = []
        for i in range(10):
            p = Process(target=f, args=(i, d, l, lock))
            p.start()
            process_list.append(p)

        for p in process_list:
            p.join()

        print(d)
        print(l)
