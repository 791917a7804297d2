import sys
import time

flush = 'flush' in sys.argv
for n in range(1, 4):
    print(f'line {n}', flush=flush)
    time.sleep(0.2)
