import os
from multiprocessing import Process, active_children

def quick():
    pass

def state(pid):
    """The process's state letter from /proc, or 'gone'."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except FileNotFoundError:
        return 'gone'

if __name__ == '__main__':
    p = Process(target=quick, name='quick')
    p.start()
    # Wait until the child has exited, but leave it unreaped (WNOWAIT).
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    print('the child has exited; its state:', state(p.pid))
    print('active_children():', active_children())
    print('now its state:', state(p.pid), '; exit code:', p.exitcode)
