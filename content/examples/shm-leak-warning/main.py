import subprocess
import sys

LEAKY = '''
from multiprocessing.shared_memory import SharedMemory
block = SharedMemory(create=True, size=1024)
block.buf[0] = 1
block.close()
print('closed, but not unlinked')
'''

if __name__ == '__main__':
    # The warning comes from the resource tracker, a helper process, after the
    # leaky program has ended. Run that program as an interpreter of its own and
    # wait for all of its output, the tracker's included.
    done = subprocess.run([sys.executable, '-c', LEAKY], capture_output=True, text=True)
    print(done.stdout + done.stderr, end='')
