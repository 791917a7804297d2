# fails: sellers run at the same time
import multiprocessing
import time


def sell(s, tickets):
    while True:
        with tickets.get_lock():
            number = tickets.value
            if number <= 0:
                break
            time.sleep(0.001)  # printing the ticket takes a moment
            tickets.value = number - 1
        print(f"seller {s} sold ticket {number}")


if __name__ == '__main__':
    tickets = multiprocessing.Value('i', 20)
    for s in range(4):
        p = multiprocessing.Process(target=sell, args=(s, tickets))
        p.start()
        p.join()
    print(f"tickets left: {tickets.value}")
