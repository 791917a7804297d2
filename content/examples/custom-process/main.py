import multiprocessing

class MyProcess(multiprocessing.Process):
    def run(self):
        print('running this process...')

if __name__ == "__main__":
    p = MyProcess(args=(0,))
    p.start()
    print('carrying on...')

    # The parent's line usually comes first, but the order is not guaranteed.
