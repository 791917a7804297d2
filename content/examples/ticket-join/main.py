import time
import multiprocessing

def task(lock):
    lock.acquire()
    with open('f1.txt','r',encoding='utf-8') as f:
        current_num = int(f.read())

    print('queuing for a ticket')
    time.sleep(0.1)
    current_num -= 1

    with open('f1.txt','w',encoding='utf-8') as f:
        f.write(str(current_num))
    print('got one; tickets left:', current_num)
    lock.release()

if __name__ == '__main__':
    lock = multiprocessing.RLock()

    process_list = []
    for i in range(20):
        p = multiprocessing.Process(target=task, args=(lock,))
        p.start()
        process_list.append(p)

    for p in process_list:
        p.join()

    with open('f1.txt', encoding='utf-8') as f:
        print('every process has finished; tickets left in f1.txt:', f.read())
