from multiprocessing import Manager, Process


def work(ns):
    ns.count += 1        # read, then write: two round trips (no lock: one child only)
    ns.status = 'done'   # a new attribute, visible to every process
    ns.items.append(4)   # the same trap as a dict's nested list: a copy is changed


if __name__ == '__main__':
    with Manager() as manager:
        ns = manager.Namespace()
        ns.count, ns.items = 0, [1, 2, 3]
        child = Process(target=work, args=(ns,))
        child.start()
        child.join()
        print(ns.count, ns.status, ns.items)
