from multiprocessing import JoinableQueue, Process, Queue

STOP = None  # a sentinel: "no more tasks"


def consumer(tasks, results):
    while True:
        item = tasks.get()
        if item is STOP:
            tasks.task_done()
            break
        results.put((item, item * item))
        tasks.task_done()  # one task_done() for every get()


if __name__ == '__main__':
    tasks, results = JoinableQueue(), Queue()
    consumers = [Process(target=consumer, args=(tasks, results)) for _ in range(2)]
    for process in consumers:
        process.start()
    for item in range(10):
        tasks.put(item)
    for _ in consumers:
        tasks.put(STOP)  # one sentinel per consumer
    tasks.join()         # returns when every item put has had its task_done()
    print('every task is done')
    squares = sorted(results.get() for _ in range(10))
    print(squares)
    for process in consumers:
        process.join()
