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

    for i in range(20):
        p = multiprocessing.Process(target=task, args=(lock,))
        p.start()

    time.sleep(3)
