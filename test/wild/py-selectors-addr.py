#!/usr/bin/env python3
"""A selectors chat server in the style of the Python docs' echo-server example.

One thread, one selector loop over the listening socket and the clients.
Members are known by their address ([127.0.0.1:5000]); a line goes to every
member but its sender (no echo); the greeting names no one. Sockets are
non-blocking and each has its own outbound buffer, so a member that stops
reading is dropped instead of stalling the room (the blocking sendall() of
the tutorials is the bug this style is known for).

    python3 py-selectors-addr.py [--port N]      (port 0: prints the port)
"""
import selectors
import socket
import sys

MAX_LINE = 4096
MAX_QUEUED = 256 * 1024
WELCOME = "Welcome to the chat room! Type /quit to leave."

sel = selectors.DefaultSelector()
clients = {}  # socket -> Client


class Client:
    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.writing = False
        self.slow = False


def send(c, line):
    c.outbuf += (line + "\n").encode("utf-8")
    if len(c.outbuf) > MAX_QUEUED:
        c.slow = True  # does not read: dropped at the end of this round
    elif not c.writing:
        c.writing = True
        sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE)


def broadcast(line, skip=None):
    for c in list(clients.values()):
        if c is not skip:
            send(c, line)


def remove(c):
    if clients.pop(c.sock, None) is None:
        return
    sel.unregister(c.sock)
    c.sock.close()
    broadcast(f"[{c.addr}] is offline")


def accept(server):
    try:
        conn, (host, port) = server.accept()
    except OSError:
        return
    conn.setblocking(False)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c = Client(conn, f"{host}:{port}")
    clients[conn] = c
    sel.register(conn, selectors.EVENT_READ)
    send(c, WELCOME)
    broadcast(f"[{c.addr}] entered our chatting room", skip=c)


def line_from(c, raw):
    """False when the member quit."""
    try:
        line = bytes(raw).rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError:
        return True  # not text: dropped, not relayed
    if line == "/quit":
        return False
    broadcast(f"[{c.addr}] {line}", skip=c)
    return True


def read(c):
    try:
        data = c.sock.recv(65536)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data = b""
    if not data:
        if c.inbuf:
            line_from(c, c.inbuf)  # a last line without LF still counts
        remove(c)
        return
    c.inbuf += data
    while True:
        lf = c.inbuf.find(b"\n")
        if lf < 0:
            break
        raw = c.inbuf[:lf]
        del c.inbuf[: lf + 1]
        if not line_from(c, raw):
            remove(c)
            return
    if len(c.inbuf) > MAX_LINE:
        remove(c)


def write(c):
    try:
        n = c.sock.send(c.outbuf)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        remove(c)
        return
    del c.outbuf[:n]
    if not c.outbuf and c.writing:
        c.writing = False
        sel.modify(c.sock, selectors.EVENT_READ)


def main():
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1]) if "--port" in args else 0
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(128)
    server.setblocking(False)
    sel.register(server, selectors.EVENT_READ)
    print(f"listening on 127.0.0.1:{server.getsockname()[1]}", flush=True)
    while True:
        for key, events in sel.select(timeout=1.0):
            if key.fileobj is server:
                accept(server)
                continue
            c = clients.get(key.fileobj)
            if c is not None and events & selectors.EVENT_READ:
                read(c)
            c = clients.get(key.fileobj)
            if c is not None and events & selectors.EVENT_WRITE:
                write(c)
        for c in [c for c in clients.values() if c.slow]:
            remove(c)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
