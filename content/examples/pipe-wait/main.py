import time
from multiprocessing import Pipe, Process
from multiprocessing.connection import wait


def work(n, writer):
    time.sleep(0.3 * (3 - n))  # worker 2 finishes first, worker 0 last
    writer.send(f'result of worker {n}')
    writer.close()


if __name__ == '__main__':
    readers, workers = [], []
    for n in range(3):
        reader, writer = Pipe(duplex=False)
        worker = Process(target=work, args=(n, writer))
        worker.start()
        writer.close()
        readers.append(reader)
        workers.append(worker)
    while readers:
        for reader in wait(readers):  # blocks until at least one is ready
            try:
                print(reader.recv())
            except EOFError:
                readers.remove(reader)
    sentinels = {worker.sentinel: worker for worker in workers}
    while sentinels:
        for ended in wait(list(sentinels)):  # a process's sentinel is ready once it has ended
            sentinels.pop(ended).join()      # so join() returns at once
    print('every worker has ended:', all(worker.exitcode == 0 for worker in workers))
