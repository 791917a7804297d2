from multiprocessing import Process
from multiprocessing.shared_memory import SharedMemory

MiB = 2**20


def fill(names):
    for name in names:
        block = SharedMemory(name=name)
        block.buf[::4096] = b'\1' * (block.size // 4096)  # touch every page: now it takes memory
        print(f'filled {block.size // MiB} MiB', flush=True)
        block.close()


if __name__ == '__main__':
    # Creating a block only reserves its size; memory is taken when its pages are written.
    blocks = [SharedMemory(create=True, size=6 * MiB) for _ in range(6)]
    print(f'created {len(blocks)} blocks of 6 MiB')
    child = Process(target=fill, args=([block.name for block in blocks],))
    child.start()
    child.join()
    print('child exit code:', child.exitcode)
    for block in blocks:
        block.close()
        block.unlink()
