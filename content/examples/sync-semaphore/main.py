import time
from multiprocessing import Barrier, Process, Semaphore, Value


def visit(n, start, room, inside, most):
    start.wait()  # all five try to enter at the same moment
    with room:    # at most two at a time get past this line
        with inside.get_lock():
            inside.value += 1
            most.value = max(most.value, inside.value)
        print(f'worker {n} is inside')
        time.sleep(0.2)
        with inside.get_lock():
            inside.value -= 1


if __name__ == '__main__':
    start, room = Barrier(5), Semaphore(2)
    inside, most = Value('i', 0), Value('i', 0)
    workers = [Process(target=visit, args=(n, start, room, inside, most)) for n in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(f'at most {most.value} workers were inside at once')
