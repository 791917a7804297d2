import time
from multiprocessing import Condition, Process, Value


def producer(items, changed):
    for _ in range(5):
        time.sleep(0.05)
        with changed:
            items.value += 1
            changed.notify_all()  # wake whoever waits for a change


def consumer(items, changed):
    with changed:
        # wait_for() checks the condition, and sleeps until notified while it is false.
        changed.wait_for(lambda: items.value >= 3)
        print(f'the consumer woke up with {items.value} items')


if __name__ == '__main__':
    items = Value('i', 0, lock=False)  # the Condition's lock guards it
    changed = Condition()
    processes = [Process(target=consumer, args=(items, changed)),
                 Process(target=producer, args=(items, changed))]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    print(f'{items.value} items in the end')
