from concurrent.futures import ProcessPoolExecutor


def task(n):
    return n * n


def done(future):
    print(f"result: {future.result()}")


if __name__ == '__main__':
    with ProcessPoolExecutor(3) as pool:
        for n in range(6):
            pool.submit(task, n).add_done_callback(done)
    print("all done")
