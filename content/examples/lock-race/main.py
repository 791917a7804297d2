from multiprocessing import Barrier, Process, Manager

def add(d, start):
    start.wait()  # begin together: under spawn each child takes a while to start
    for _ in range(100):
        d['count'] += 1  # read the count, add one, write it back

if __name__ == '__main__':
    start = Barrier(10)
    with Manager() as manager:
        d = manager.dict(count=0)
        process_list = []
        for i in range(10):
            p = Process(target=add, args=(d, start))
            p.start()
            process_list.append(p)
        for p in process_list:
            p.join()
        print('count:', d['count'], 'of', 10 * 100)
