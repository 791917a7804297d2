from multiprocessing import Pipe, Process


def produce(writer):
    for n in range(3):
        writer.send(n)
    writer.close()


if __name__ == '__main__':
    reader, writer = Pipe(duplex=False)
    child = Process(target=produce, args=(writer,))
    child.start()
    # writer.close() is missing: the parent still holds a writing end itself.
    for _ in range(3):
        print('got', reader.recv())
    child.join()
    # The child has closed its end and ended, yet no EOF comes: poll() would be
    # True at once for EOF, but it waits its full second for data that never comes.
    print('anything more within 1 s?', reader.poll(1))
