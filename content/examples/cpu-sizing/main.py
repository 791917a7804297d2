import multiprocessing

def task(i):
    print(f'worker {i} is running in {multiprocessing.current_process().name}')

if __name__ == '__main__':
    cpu_count = multiprocessing.cpu_count()
    print(cpu_count)
    workers = min(cpu_count, 4)  # the book's sandbox keeps runs small

    process_list = []
    for i in range(workers):
        p = multiprocessing.Process(target=task, args=(i,))
        p.start()
        process_list.append(p)

    for p in process_list:
        p.join()
