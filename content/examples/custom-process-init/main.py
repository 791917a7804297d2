import multiprocessing

class Greeter(multiprocessing.Process):
    def __init__(self, who):
        super().__init__()  # sets up name, pid, exit code and the rest
        self.who = who

    def run(self):
        print(f'hello, {self.who}, from {self.name}')

if __name__ == '__main__':
    p = Greeter('reader')
    p.start()
    p.join()
    print('exit code of', p.name, 'is', p.exitcode)
