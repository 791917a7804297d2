from multiprocessing import Process

def divide(a, b):
    print(f'{a} / {b} = {a / b}')

if __name__ == '__main__':
    for b in (0, 4):
        p = Process(target=divide, args=(1, b))
        p.start()
        p.join()
        print(f'{p.name} exit code: {p.exitcode}')
    print('the parent carries on')
