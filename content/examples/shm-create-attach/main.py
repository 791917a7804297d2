from multiprocessing import Process
from multiprocessing.shared_memory import ShareableList, SharedMemory


def shout(name):
    block = SharedMemory(name=name)  # attach to the parent's block by its name
    block.buf[:5] = bytes(block.buf[:5]).upper()
    block.close()                    # this process is done with it; the block stays


def count(name):
    numbers = ShareableList(name=name)
    numbers[0] += 1
    numbers[2] = 'changed'
    numbers.shm.close()


if __name__ == '__main__':
    block = SharedMemory(create=True, size=16)
    block.buf[:5] = b'hello'
    child = Process(target=shout, args=(block.name,))
    child.start()
    child.join()
    print(bytes(block.buf[:5]))
    block.close()
    block.unlink()  # remove the block itself; once, by one process

    numbers = ShareableList([41, 3.5, 'unchanged'])
    child = Process(target=count, args=(numbers.shm.name,))
    child.start()
    child.join()
    print(list(numbers))
    numbers.shm.close()
    numbers.shm.unlink()
