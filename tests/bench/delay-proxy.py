#!/usr/bin/env python3
# delay-proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS
#
# A TCP proxy that adds a fixed one-way latency in each direction, standing in for netem
# (which this kernel lacks). Each chunk is stamped when it arrives and released at
# arrival + delay, in order, so pipelined writes are not delayed more than once; the upstream
# connect also waits one delay (the SYN's trip). Prints "PORT <n>" once listening.
import asyncio, sys, time

async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def release():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                try:
                    writer.write_eof()
                except (OSError, RuntimeError):
                    pass
                return
            writer.write(data)
            try:
                await writer.drain()
            except (ConnectionError, OSError):
                return

    task = asyncio.ensure_future(release())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((time.monotonic() + delay, data if data else None))
            if not data:
                break
    except (ConnectionError, OSError):
        queue.put_nowait((time.monotonic(), None))
    await task

async def handle(client_reader, client_writer, host, port, delay):
    await asyncio.sleep(delay)
    try:
        up_reader, up_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, up_writer, delay), pump(up_reader, client_writer, delay),
                         return_exceptions=True)
    for w in (client_writer, up_writer):
        try:
            w.close()
        except OSError:
            pass

async def main():
    listen, host, port, delay = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000
    server = await asyncio.start_server(lambda r, w: handle(r, w, host, port, delay), "127.0.0.1", listen)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()

if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
