import traceback
from concurrent.futures import ProcessPoolExecutor

def divide(a, b):
    return a / b

if __name__ == '__main__':
    with ProcessPoolExecutor(2) as pool:
        future = pool.submit(divide, 1, 0)
        try:
            future.result()
        except ZeroDivisionError as error:
            print('result() raised', repr(error))
            print('its cause:', type(error.__cause__).__name__)
            traceback.print_exc()
