from multiprocessing import Pipe, Process


def produce(writer):
    for n in range(3):
        writer.send(n)
    writer.close()


if __name__ == '__main__':
    reader, writer = Pipe(duplex=False)
    child = Process(target=produce, args=(writer,))
    child.start()
    while True:
        try:
            print('got', reader.recv())
        except EOFError:
            break
    print('done')
    child.join()
