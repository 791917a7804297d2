import subprocess
import sys
from multiprocessing.managers import BaseManager, ListProxy

# A client that knows nothing of this program but the manager's address and key.
CLIENT = '''
import sys
from multiprocessing.managers import BaseManager, ListProxy
class Client(BaseManager): pass
Client.register('board', proxytype=ListProxy)
client = Client(address=('127.0.0.1', int(sys.argv[1])), authkey=b'sesame')
client.connect()
board = client.board()
board.append('hello from another interpreter')
print('the client sees', len(board), 'messages')
'''

messages = []


def board():
    return messages


class Server(BaseManager):
    pass


Server.register('board', callable=board, proxytype=ListProxy)  # every client: the same list

if __name__ == '__main__':
    # Port 0: the system picks a free port on this run's own loopback interface.
    with Server(address=('127.0.0.1', 0), authkey=b'sesame') as server:
        host, port = server.address
        server.board().append('hello from the parent')
        subprocess.run([sys.executable, '-c', CLIENT, str(port)], check=True)
        print(list(server.board()))
