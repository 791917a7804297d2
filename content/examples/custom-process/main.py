import multiprocessing

class MyProcess(multiprocessing.Process):
    def run(self):
        print('running this process...')

if __name__ == "__main__":
    p = MyProcess(args=(0,))
    p.start()
    print('carrying on...')

    # Which line comes first is not guaranteed: under fork, either can.
