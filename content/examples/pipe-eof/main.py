from multiprocessing import Pipe, Process


def produce(writer):
    for n in range(3):
        writer.send(n)
    writer.close()


if __name__ == '__main__':
    reader, writer = Pipe(duplex=False)
    child = Process(target=produce, args=(writer,))
    child.start()
    writer.close()  # the parent never writes: close its copy of the writing end
    while True:
        try:
            print('got', reader.recv())
        except EOFError:  # every writing end is closed and the pipe is empty
            print('EOFError: no writer is left')
            break
    child.join()
