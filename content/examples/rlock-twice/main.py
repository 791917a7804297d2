from multiprocessing import Process, RLock

def take(lock):
    with lock:
        print('child: got the lock')

if __name__ == '__main__':
    lock = RLock()
    with lock:
        print('got the lock')
        with lock:  # the owner may take an RLock again; it counts
            print('got it twice')
        child = Process(target=take, args=(lock,))
        child.start()
        # Still held once here: the child waits until the outer block ends.
        child.join(timeout=0.5)
        print('child still waiting:', child.is_alive())
    child.join()
    print('child exited with', child.exitcode)
