import multiprocessing

settings = {'mode': 'as written in the file'}

def show():
    print('the child sees mode =', settings['mode'])

if __name__ == '__main__':
    settings['mode'] = 'changed by the parent before start()'
    print('start method:', multiprocessing.get_start_method())
    p = multiprocessing.Process(target=show)
    p.start()
    p.join()
