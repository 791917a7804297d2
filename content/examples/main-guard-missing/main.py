import multiprocessing

def task():
    print('the child runs task()')

# No `if __name__ == '__main__':` guard: this code runs whenever main.py is imported.
print(f'main.py runs as {__name__} in {multiprocessing.current_process().name}')
p = multiprocessing.Process(target=task)
p.start()
p.join()
print(f'{multiprocessing.current_process().name}: the child exited with code {p.exitcode}')
