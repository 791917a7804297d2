from multiprocessing import Manager, Process


def add_item(shared):
    shared['plain'].append('from the child')   # appends to a copy: lost
    items = shared['plain']
    items.append('read, changed, written back')
    shared['plain'] = items                     # assignment goes to the manager: kept
    shared['proxy'].append('from the child')    # a nested proxy: kept


if __name__ == '__main__':
    with Manager() as manager:
        shared = manager.dict()
        shared['plain'] = []              # a plain list, stored inside the manager's dict
        shared['proxy'] = manager.list()  # a list of the manager's own, stored as a proxy
        child = Process(target=add_item, args=(shared,))
        child.start()
        child.join()
        print('plain:', shared['plain'])
        print('proxy:', list(shared['proxy']))
