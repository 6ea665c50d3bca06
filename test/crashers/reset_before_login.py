"""reset-before-login: a nameop server (spec/nameop.md: login, say, quit, user
list) in one thread with selectors, that dies when a client resets its
connection before it has logged in. Members' reads are guarded against
ConnectionResetError; the login path reads without the guard, so the
exception ends the event loop and the process, with a Python traceback.

usage: python3 reset_before_login.py --port PORT
"""
import argparse
import selectors
import socket

sel = selectors.DefaultSelector()
names = {}  # conn -> bound name, in login order
buffers = {}


def send(conn, line):
    try:
        conn.sendall((line + "\n").encode())
    except OSError:
        pass


def room(line):
    for m in list(names):
        send(m, line)


def leave(conn):
    sel.unregister(conn)
    name = names.pop(conn, None)
    buffers.pop(conn, None)
    conn.close()
    if name is not None:
        room(f"{name}|2|")


def frame(conn, line):
    parts = line.split("|", 2)
    if len(parts) < 3 or not parts[1].isdigit():
        return send(conn, "*|0|400|malformed frame")
    name, op, msg = parts[0], int(parts[1]), parts[2]
    if conn not in names:
        if op != 3:
            return send(conn, "*|0|401|log in first")
        if not name or len(name.encode()) > 64 or name.startswith("*"):
            return send(conn, "*|0|400|bad name")
        if name in names.values():
            return send(conn, "*|0|409|name taken")
        names[conn] = name
        return room(f"{name}|3|")
    if name != names[conn]:
        return send(conn, "*|0|403|not your name")
    if op == 1:
        room(f"{name}|1|{msg}")
    elif op == 2:
        leave(conn)
    elif op == 9:
        send(conn, "*|9|" + "|".join(names.values()))
    else:
        send(conn, f"*|0|400|unsupported op {op}")


def readable(conn):
    if conn in names:
        try:
            data = conn.recv(65536)
        except ConnectionResetError:
            return leave(conn)
    else:
        data = conn.recv(65536)  # the bug: no guard before login
    if not data:
        return leave(conn)
    buf = buffers.get(conn, b"") + data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        frame(conn, line.decode("utf-8", "replace").rstrip("\r"))
        if conn not in buffers:
            return
    buffers[conn] = buf


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(512)
    srv.setblocking(False)
    sel.register(srv, selectors.EVENT_READ)
    print(f"listening on 127.0.0.1:{srv.getsockname()[1]}", flush=True)
    while True:
        for key, _ in sel.select():
            if key.fileobj is srv:
                conn, _ = srv.accept()
                conn.setblocking(True)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buffers[conn] = b""
                sel.register(conn, selectors.EVENT_READ)
            else:
                readable(key.fileobj)


if __name__ == "__main__":
    main()
