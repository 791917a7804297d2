import time
import threading
from multiprocessing import Process, current_process

def task(args):
    print('mission start.')
    print(f'number of threads: {len(threading.enumerate())}')
    time.sleep(1)
    print(current_process().name)
    print('mission end.')

if __name__ == '__main__':
    p = Process(target=task, args=(1,))
    p.name = 'subprocess'
    p.start()
    p.join()
    print('End')
