import logging
import multiprocessing

def task():
    multiprocessing.get_logger().info('a record from the task')

if __name__ == '__main__':
    multiprocessing.log_to_stderr(logging.INFO)  # multiprocessing's own logger, to stderr
    p = multiprocessing.Process(target=task)
    p.start()
    p.join()
    print('exit code', p.exitcode)
