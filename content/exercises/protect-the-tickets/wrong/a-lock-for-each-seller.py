# fails: each ticket sold once
import multiprocessing
import time


def sell(s, tickets, ready):
    lock = multiprocessing.Lock()
    ready.wait()  # wait until all four sellers have started, so that they sell at the same time
    while True:
        with lock:
            number = tickets.value
            if number <= 0:
                break
            time.sleep(0.001)  # printing the ticket takes a moment
            tickets.value = number - 1
        print(f"seller {s} sold ticket {number}")


if __name__ == '__main__':
    tickets = multiprocessing.Value('i', 20)
    ready = multiprocessing.Barrier(4)
    sellers = [multiprocessing.Process(target=sell, args=(s, tickets, ready)) for s in range(4)]
    for p in sellers:
        p.start()
    for p in sellers:
        p.join()
    print(f"tickets left: {tickets.value}")
