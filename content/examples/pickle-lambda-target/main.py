import multiprocessing

def make_greeter(name):
    def greet():  # a nested function: it exists only inside make_greeter
        print(f'hello from {name}, in {multiprocessing.current_process().name}')
    return greet

if __name__ == '__main__':
    print('start method:', multiprocessing.get_start_method())
    targets = [('a lambda', lambda: print('hello from a lambda')),
               ('a nested function', make_greeter('a nested function'))]
    for label, target in targets:
        p = multiprocessing.Process(target=target)
        try:
            p.start()
        except Exception as error:
            print(f'{label} cannot be sent: {type(error).__name__}: {error}')
        else:
            p.join()
            print(f'{label} ran in the child, exit code {p.exitcode}')
