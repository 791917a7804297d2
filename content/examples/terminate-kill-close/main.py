import signal
import time
from multiprocessing import Event, Process

def sleeper(ready):
    ready.set()
    time.sleep(60)

def stubborn(ready):
    def ignore(signum, frame):
        print('child: SIGTERM ignored')
        ready.set()
    signal.signal(signal.SIGTERM, ignore)
    ready.set()
    while True:
        time.sleep(0.1)

def run(target):
    ready = Event()
    p = Process(target=target, args=(ready,))
    p.start()
    ready.wait()  # until the child is in its function
    ready.clear()
    return p, ready

if __name__ == '__main__':
    p, _ = run(sleeper)
    p.terminate()
    p.join()
    print(f'terminate(): exit code {p.exitcode} ({signal.Signals(-p.exitcode).name})')

    p, ready = run(stubborn)
    p.terminate()
    ready.wait()  # until the child has handled the signal
    print('after terminate(), the stubborn child is alive:', p.is_alive())
    try:
        p.close()
    except ValueError as error:
        print('close():', error)
    p.kill()
    p.join()
    print(f'kill(): exit code {p.exitcode} ({signal.Signals(-p.exitcode).name})')
    p.close()
    try:
        p.exitcode
    except ValueError as error:
        print('after close():', error)
