"""A real SMTP server for the tests: accepts every message on 127.0.0.1 and
writes each one, as received, to OUT_DIR/NNNN.eml. Prints its port first.

    python3 smtp_sink.py OUT_DIR [PORT]
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import asyncore  # noqa: E402
import smtpd  # noqa: E402

out = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0


class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        n = len([f for f in os.listdir(out) if f.endswith(".eml")])
        tmp = os.path.join(out, f"{n:04d}.tmp")
        with open(tmp, "wb") as f:
            f.write(b"X-Rcpt-To: " + ",".join(rcpttos).encode() + b"\r\n")
            f.write(data if isinstance(data, bytes) else data.encode())
        os.rename(tmp, os.path.join(out, f"{n:04d}.eml"))


server = Sink(("127.0.0.1", port), None, decode_data=False)
print(server.socket.getsockname()[1], flush=True)
asyncore.loop()
