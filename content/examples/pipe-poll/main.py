import time
from multiprocessing import Pipe, Process


def slow_reply(conn):
    time.sleep(0.5)
    conn.send('done')


if __name__ == '__main__':
    mine, theirs = Pipe()
    child = Process(target=slow_reply, args=(theirs,))
    child.start()
    print('anything after 0.1 s?', mine.poll(0.1))  # waits at most 0.1 s
    print('anything within 5 s? ', mine.poll(5))    # returns as soon as data arrives
    print(mine.recv())
    child.join()
