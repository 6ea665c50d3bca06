#!/usr/bin/env python3
"""A socketserver (threading) chat server in the style of the Python tutorials.

On connect: a banner of three lines, then "Enter your name: " without a line
end; the first line is the name. Lines go out with CR LF (telnet style);
lines in end with CR LF or LF. Each member has its own outbound
queue and writer thread, so a member that stops reading is dropped instead of
stalling the room.

    python3 py-threading-prompt.py [--port N] [--recv-name]     (port 0: prints the port)

--recv-name plants the style's usual bug: the name is one recv() of up to
1024 bytes, stripped at both ends and checked only for being free, so a
"name" holding a line break (bob, LF, "alice: hi") puts a line of its own,
forged, in every notice that names the member.
"""
import queue
import re
import socketserver
import sys
import threading

MAX_LINE = 4096
QUEUE_LINES = 2048
NAME = re.compile(r"[A-Za-z0-9_]{1,16}")
BANNER = ["*** Welcome to PyChat 0.3 ***", "Be nice. Type /quit to leave.", "--"]
RECV_NAME = "--recv-name" in sys.argv[1:]

lock = threading.Lock()
members = {}  # handler -> name


class Member:
    def __init__(self, sock):
        self.sock = sock
        self.out = queue.Queue(QUEUE_LINES)
        self.closed = False
        threading.Thread(target=self.pump, daemon=True).start()

    def pump(self):
        while True:
            data = self.out.get()
            if data is None:
                return
            try:
                self.sock.sendall(data)
            except OSError:
                return

    def send(self, line):
        """False when the member's queue is full: it does not read."""
        if self.closed:
            return True
        try:
            self.out.put_nowait((line + "\r\n").encode("utf-8"))
            return True
        except queue.Full:
            return False

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.out.put_nowait(None)
            except queue.Full:
                pass


def broadcast(line, skip=None):
    """Call with the lock held. Members that do not read are dropped and announced."""
    slow = [m for m in members if m is not skip and not m.send(line)]
    for m in slow:
        name = members.pop(m, None)
        m.close()
        try:
            m.sock.shutdown(2)
        except OSError:
            pass
        if name is not None:
            broadcast(f"{name} has left the chat")


def enter(me, name):
    """Joins the room as name, or asks again when it is taken."""
    with lock:
        if name in members.values():
            me.out.put(b"That name is taken. Enter your name: ")
            return False
        me.send(f"Hello {name}, welcome to the room.")
        broadcast(f"{name} has joined the chat")
        members[me] = name
        return True


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        me = Member(self.request)
        buf = b""
        name = None

        def lines():
            nonlocal buf
            while True:
                while b"\n" not in buf:
                    if len(buf) > MAX_LINE:
                        return
                    try:
                        data = self.request.recv(4096)
                    except OSError:
                        return
                    if not data:
                        if buf:
                            last, buf = buf, b""
                            yield last
                        return
                    buf += data
                line, buf = buf.split(b"\n", 1)
                if len(line) > MAX_LINE:
                    return
                yield line

        for line in BANNER:
            me.send(line)
        me.out.put((b"Enter your name: "))
        reader = lines()
        if RECV_NAME:
            name = self.recv_name(me)
            if name is None:
                me.close()
                return
        try:
            for raw in reader:
                try:
                    line = raw.rstrip(b"\r").decode("utf-8")
                except UnicodeDecodeError:
                    continue  # not text: dropped, not relayed
                if name is None:
                    if not NAME.fullmatch(line):
                        me.out.put(b"Names are 1-16 letters, digits or _. Enter your name: ")
                        continue
                    if enter(me, line):
                        name = line
                    continue
                with lock:
                    if me not in members:
                        break
                    if line == "/quit":
                        del members[me]
                        broadcast(f"{name} has left the chat")
                        break
                    broadcast(f"{name}: {line}")
        finally:
            with lock:
                if members.pop(me, None) is not None:
                    broadcast(f"{name} has left the chat")
            me.close()


    def recv_name(self, me):
        """--recv-name: the name as the tutorials read it, one recv() and strip()."""
        while True:
            try:
                data = self.request.recv(1024)
            except OSError:
                return None
            if not data:
                return None
            name = data.decode("utf-8", "replace").strip()
            if not name:
                me.out.put(b"Enter your name: ")
                continue
            if enter(me, name):
                return name


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1]) if "--port" in args else 0
    with Server(("127.0.0.1", port), Handler) as server:
        print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
