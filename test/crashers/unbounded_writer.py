"""unbounded_writer: a gopl-en chat server (seed 004's dialect) in asyncio, as
the tutorials write it: reader.readline() in a task per client, and each line
relayed with writer.write() and nothing else. Correct for members that read.
The bug: writer.write() never blocks and has no limit (no drain(), no look at
get_write_buffer_size()), so the transport keeps every line a member that
stopped reading is sent, and the process grows for as long as the room talks
(PROC-4).

usage: python3 unbounded_writer.py --port PORT
"""
import argparse
import asyncio

members = {}  # writer -> address


def relay(line):
    data = (line + "\n").encode()
    for writer in list(members):
        if not writer.is_closing():
            writer.write(data)  # the bug: no limit, no drain()


async def handle(reader, writer):
    host, port = writer.get_extra_info("peername")[:2]
    name = f"{host}:{port}"
    writer.write(f"You are {name}\n".encode())
    relay(f"{name} has joined us")
    members[writer] = name
    try:
        while True:
            try:
                line = await reader.readline()
            except (ConnectionError, ValueError):  # a reset, or a line over the 64 KiB limit
                break
            if not line:
                break
            relay(f"{name}: {line.decode('utf-8', 'replace').rstrip(chr(13) + chr(10))}")
    finally:
        members.pop(writer, None)
        writer.close()
        relay(f"{name} has left ")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    server = await asyncio.start_server(handle, "127.0.0.1", port, limit=1 << 20)
    print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
