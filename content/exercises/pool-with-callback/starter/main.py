from concurrent.futures import ProcessPoolExecutor


def task(n):
    return n * n


if __name__ == '__main__':
    for n in range(6):
        print(f"result: {task(n)}")
    print("all done")
