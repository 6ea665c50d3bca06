#!/usr/bin/env python3
"""An asyncio chat server in the style of the Python tutorials.

Each connection gets a guest name (guest1, guest2, ...) in its welcome line,
notices carry a [HH:MM:SS] timestamp, /nick NAME is announced to the whole
room with the old and the new name, /quit leaves.

    python3 py-asyncio-guests.py [--port N]      (port 0: prints the port)
"""
import asyncio
import itertools
import re
import sys
import time

MAX_LINE = 4096
MAX_QUEUED = 256 * 1024
NICK = re.compile(r"[A-Za-z0-9_]{1,16}")

members = {}  # writer -> name
guest_numbers = itertools.count(1)


def stamp():
    return time.strftime("%H:%M:%S")


def send(writer, line):
    if writer.is_closing():
        return
    # A member that does not read is dropped, not buffered without end.
    if writer.transport.get_write_buffer_size() > MAX_QUEUED:
        drop(writer)
        return
    writer.write((line + "\n").encode("utf-8"))


def broadcast(line, skip=None):
    for w in list(members):
        if w is not skip:
            send(w, line)


def drop(writer):
    name = members.pop(writer, None)
    writer.transport.abort()
    if name is not None:
        broadcast(f"[{stamp()}] * {name} has left")


async def handle(reader, writer):
    name = f"guest{next(guest_numbers)}"
    send(writer, f"Welcome, {name}!")
    broadcast(f"[{stamp()}] * {name} has joined")
    members[writer] = name
    try:
        while writer in members:
            try:
                raw = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as end:
                raw = end.partial  # a last line without LF still counts
                if raw and writer in members:
                    say(writer, raw)
                break
            except asyncio.LimitOverrunError:
                send(writer, "! line too long")
                break
            say(writer, raw)
    except ConnectionError:
        pass
    finally:
        name = members.pop(writer, None)
        if name is not None:
            broadcast(f"[{stamp()}] * {name} has left")
        writer.close()


def say(writer, raw):
    try:
        line = raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError:
        return  # not text: dropped, not relayed
    if not line:
        return  # an empty line says nothing: dropped, not relayed
    name = members[writer]
    if line == "/quit":
        members.pop(writer, None)
        broadcast(f"[{stamp()}] * {name} has left")
        writer.close()
        return
    if line.startswith("/nick "):
        new = line[6:]
        if not NICK.fullmatch(new) or new in members.values():
            send(writer, f"! cannot use that name")
            return
        members[writer] = new
        broadcast(f"[{stamp()}] * {name} is now known as {new}")
        return
    broadcast(f"[{stamp()}] <{name}> {line}")


async def main():
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1]) if "--port" in args else 0
    server = await asyncio.start_server(handle, "127.0.0.1", port, limit=MAX_LINE)
    print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
