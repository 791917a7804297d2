from multiprocessing import Lock

if __name__ == '__main__':
    lock = Lock()
    with lock:
        print('got the lock')
        with lock:  # the same process asks again, and waits for itself
            print('got it twice')
