"""An SMTP server with TLS for the tests, on 127.0.0.1: `starttls` offers
STARTTLS and refuses mail before it; `tls` speaks TLS from the first byte.
Each message is written to OUT_DIR/NNNN.eml. Prints its port first.

    python3 smtp_tls_sink.py OUT_DIR CERT KEY starttls|tls
"""
import asyncio
import os
import ssl
import sys

out, cert, key, mode = sys.argv[1:5]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)


async def handle(reader, writer):
    secure = mode == "tls"
    rcpt = []

    async def send(*lines):
        writer.write("".join(line + "\r\n" for line in lines).encode())
        await writer.drain()

    await send("220 localhost ESMTP test")
    while True:
        raw = await reader.readline()
        if not raw:
            break
        cmd = raw.decode(errors="replace").strip()
        verb = cmd.split(" ")[0].upper()
        if verb in ("EHLO", "HELO"):
            lines = ["250-localhost", "250-8BITMIME"]
            lines.append("250 SIZE 10485760" if secure else "250 STARTTLS")
            await send(*lines)
        elif verb == "STARTTLS" and not secure:
            await send("220 Ready to start TLS")
            await writer.start_tls(context)
            secure = True
        elif not secure:
            await send("530 Must issue a STARTTLS command first")
        elif verb == "MAIL":
            rcpt = []
            await send("250 OK")
        elif verb == "RCPT":
            rcpt.append(cmd.split(":", 1)[1].strip().strip("<>"))
            await send("250 OK")
        elif verb == "DATA":
            await send("354 End data with <CR><LF>.<CR><LF>")
            data = []
            while True:
                line = await reader.readline()
                if line in (b".\r\n", b".\n", b""):
                    break
                data.append(line)
            n = len([f for f in os.listdir(out) if f.endswith(".eml")])
            tmp = os.path.join(out, f"{n:04d}.tmp")
            with open(tmp, "wb") as f:
                f.write(b"X-Rcpt-To: " + ",".join(rcpt).encode() + b"\r\n")
                f.write(b"".join(data))
            os.rename(tmp, os.path.join(out, f"{n:04d}.eml"))
            await send("250 OK queued")
        elif verb == "QUIT":
            await send("221 Bye")
            break
        else:
            await send("250 OK" if verb in ("RSET", "NOOP") else "502 Not implemented")
    writer.close()


async def main():
    tls = context if mode == "tls" else None
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
