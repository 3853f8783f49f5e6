"""A real SMTP server for the tests (Debian's python3-aiosmtpd), on
127.0.0.1 and a free port, which it prints first. Each message accepted is
written, as received, to OUT_DIR/NNNN.eml, after an X-Rcpt-To header and
an X-Authenticated-As header (the AUTH user, or "-") and X-TLS (yes/no).

    /usr/bin/python3 smtp_server.py OUT_DIR [--tls none|starttls|tls]
        [--cert FILE --key FILE] [--user NAME --password PW] [--port N]

With --user, AUTH (PLAIN or LOGIN, only over TLS) is required before MAIL;
with --tls starttls, STARTTLS is required first.
"""
import argparse
import asyncio
import os
import ssl
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--tls", default="none", choices=["none", "starttls", "tls"])
p.add_argument("--cert")
p.add_argument("--key")
p.add_argument("--user")
p.add_argument("--password")
p.add_argument("--port", type=int, default=0)
a = p.parse_args()

context = None
if a.tls != "none":
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(a.cert, a.key)


class Sink:
    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(a.out) if f.endswith(".eml")])
        tmp = os.path.join(a.out, f"{n:04d}.tmp")
        who = "-"
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            who = session.auth_data.login.decode()
        with open(tmp, "wb") as f:
            f.write(b"X-Rcpt-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(b"X-Authenticated-As: " + who.encode() + b"\r\n")
            f.write(b"X-TLS: " + (b"yes" if session.ssl or a.tls == "tls" else b"no") + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(a.out, f"{n:04d}.eml"))
        return "250 OK queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == a.user
        and auth_data.password.decode() == a.password
    )
    return AuthResult(success=ok, auth_data=auth_data)


def factory():
    return SMTP(
        Sink(),
        hostname="localhost",
        tls_context=context if a.tls == "starttls" else None,
        require_starttls=a.tls == "starttls",
        auth_required=a.user is not None,
        # With TLS from the first byte aiosmtpd cannot tell the session is
        # secure; it is.
        auth_require_tls=a.tls != "tls",
        authenticator=authenticator if a.user else None,
        enable_SMTPUTF8=True,
    )


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, "127.0.0.1", a.port, ssl=context if a.tls == "tls" else None
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
