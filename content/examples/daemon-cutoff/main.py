import time
from multiprocessing import Event, Process

def helper():
    pass

def background(started):
    print('daemon: working')
    try:
        Process(target=helper).start()
    except AssertionError as error:
        print(f'daemon: cannot start a child: {error}')
    started.set()
    time.sleep(1)
    print('daemon: finished')  # never printed: the daemon is stopped first

if __name__ == '__main__':
    started = Event()
    p = Process(target=background, args=(started,), daemon=True)
    p.start()
    started.wait()
    print('parent: leaving')
