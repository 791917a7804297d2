from multiprocessing import Pipe, Process


def echo(conn):
    while True:
        message = conn.recv()       # any picklable object
        if message is None:
            break
        conn.send(message.upper())  # a Pipe is two-way by default
    conn.send_bytes(b'bye')         # raw bytes, not pickled
    conn.close()


if __name__ == '__main__':
    mine, theirs = Pipe()
    child = Process(target=echo, args=(theirs,))
    child.start()
    for word in ('ping', 'pong'):
        mine.send(word)
        print('sent', word, 'got', mine.recv())
    mine.send(None)
    print('last message:', mine.recv_bytes())
    child.join()
