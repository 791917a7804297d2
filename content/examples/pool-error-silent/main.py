from multiprocessing import Pool

def divide(a, b):
    return a / b

if __name__ == '__main__':
    with Pool(2) as pool:
        forgotten = pool.apply_async(divide, (1, 0))
        kept = pool.apply_async(divide, (1, 0))
        pool.close()
        pool.join()  # both tasks have failed by now, and nothing was printed
        print('ready:', forgotten.ready(), kept.ready())
        print('successful:', kept.successful())
        try:
            kept.get()
        except ZeroDivisionError as error:
            print('get() raised', repr(error))
