from multiprocessing import Manager

if __name__ == '__main__':
    lock = Manager.RLock()
