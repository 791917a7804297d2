import os
import threading
from multiprocessing import Process
from multiprocessing.managers import BaseManager


class Tally:
    """Lives in the manager's process; other processes call it through proxies."""

    def __init__(self):
        self._counts = {}
        self._lock = threading.Lock()  # the manager serves each client in a thread of its own

    def add(self, word):
        with self._lock:
            self._counts[word] = self._counts.get(word, 0) + 1

    def counts(self):
        return dict(sorted(self._counts.items()))

    def where(self):
        return os.getpid()


class TallyManager(BaseManager):
    pass


TallyManager.register('Tally', Tally)


def count_words(tally, text):
    for word in text.split():
        tally.add(word)


if __name__ == '__main__':
    with TallyManager() as manager:
        tally = manager.Tally()  # made in the manager's process; we get a proxy
        texts = ['a rose is a rose', 'is a rose a rose']
        workers = [Process(target=count_words, args=(tally, text)) for text in texts]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        print(tally.counts())
        print('the Tally lives in another process:', tally.where() != os.getpid())
