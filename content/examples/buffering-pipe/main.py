import os
import subprocess
import sys
import time

def watch(*args):
    """Run child.py with its stdout a pipe, and say when each of its lines arrives."""
    start = time.monotonic()
    child = subprocess.Popen([sys.executable, 'child.py', *args], stdout=subprocess.PIPE)
    while chunk := os.read(child.stdout.fileno(), 4096):  # whatever has arrived so far
        arrived = time.monotonic() - start
        for line in chunk.decode().splitlines():
            print(f'  after {arrived:.2f} s: {line}')
    child.wait()

if __name__ == '__main__':
    print('print() into a pipe:')
    watch()
    print('print(..., flush=True) into a pipe:')
    watch('flush')
