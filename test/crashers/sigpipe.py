"""sigpipe: a gopl-en chat server (seed 004's dialect), one thread per client,
that dies of SIGPIPE. When a member's connection is reset, the handler
announces the leave to every member *before* removing the leaver, so it writes
to the reset socket; SIGPIPE has its default action (as in a C server, or a
Python one that restored it to die quietly on a closed stdout), so the write
kills the process. A member that leaves with FIN is handled correctly.

usage: python3 sigpipe.py --port PORT
"""
import argparse
import signal
import socket
import threading

signal.signal(signal.SIGPIPE, signal.SIG_DFL)

members = []
lock = threading.Lock()


def who(conn):
    host, port = conn.getpeername()[:2]
    return f"{host}:{port}"


def send(conn, line):
    conn.sendall((line + "\n").encode())


def broadcast(line, everyone):
    with lock:
        targets = list(everyone)
    for m in targets:
        try:
            send(m, line)
        except OSError:
            pass  # EPIPE never gets here: SIGPIPE has already killed us


def handle(conn):
    name = who(conn)
    send(conn, f"You are {name}")
    broadcast(f"{name} has joined us", members)
    with lock:
        members.append(conn)
    buf = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace").rstrip("\r")
                broadcast(f"{name}: {text}", members)
    except ConnectionResetError:
        # The bug: the leave goes to every member, the leaver included, before it is removed.
        broadcast(f"{name} has left ", members)
        with lock:
            members.remove(conn)
        conn.close()
        return
    with lock:
        members.remove(conn)
    broadcast(f"{name} has left ", members)
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(512)
    print(f"listening on 127.0.0.1:{srv.getsockname()[1]}", flush=True)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
