import time
from multiprocessing import Barrier, Process

BUYERS = 10

def task(start):
    start.wait()  # every buyer goes to the counter at the same moment
    with open('f1.txt', 'r', encoding='utf-8') as f:
        current_num = int(f.read())

    time.sleep(0.1)
    current_num -= 1

    with open('f1.txt', 'w', encoding='utf-8') as f:
        f.write(str(current_num))
    print(f'got one; tickets left: {current_num}')

if __name__ == '__main__':
    start = Barrier(BUYERS)
    buyers = [Process(target=task, args=(start,)) for _ in range(BUYERS)]
    for p in buyers:
        p.start()
    for p in buyers:
        p.join()

    with open('f1.txt', encoding='utf-8') as f:
        print(f'{BUYERS} tickets sold; {f.read()} left in the file, not {50 - BUYERS}')
