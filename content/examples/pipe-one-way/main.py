from multiprocessing import Pipe, Process


def produce(writer):
    for n in range(3):
        writer.send(n * n)
    writer.close()


if __name__ == '__main__':
    reader, writer = Pipe(duplex=False)  # reader first, then writer
    child = Process(target=produce, args=(writer,))
    child.start()
    print([reader.recv() for _ in range(3)])
    child.join()
    try:
        reader.send('hello?')
    except OSError as error:
        print('OSError:', error)
