"""A real SMTP server for Leopard's mail tests: aiosmtpd (PyPI) on 127.0.0.1.

    python smtp_server.py PORT MAILDIR [--tls CERT KEY] [--auth USER:PASSWORD] [--drop-first N]

Each accepted message is written to MAILDIR as one .eml file (the DATA as received, with
the envelope in X-Envelope-From / X-Envelope-To). --tls offers STARTTLS with the given
certificate; --auth requires AUTH PLAIN or LOGIN with those credentials (after STARTTLS, as
aiosmtpd insists); --drop-first N closes the connection, without an answer, after receiving the
whole of each of the first N messages, so a client cannot know whether it was delivered.
"""
import argparse
import asyncio
import os
import ssl
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir, drop_first):
        self.maildir = maildir
        self.drops_left = drop_first

    async def handle_DATA(self, server, session, envelope):
        if self.drops_left > 0:
            self.drops_left -= 1
            server.transport.abort()
            return "421 dropped on purpose"
        name = "%d-%s.eml" % (time.time_ns(), uuid.uuid4().hex)
        body = envelope.original_content or envelope.content
        head = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos))).encode()
        temporary = os.path.join(self.maildir, "." + name)
        with open(temporary, "wb") as out:
            out.write(head + body)
        os.rename(temporary, os.path.join(self.maildir, name))
        return "250 OK stored"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("maildir")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth")
    parser.add_argument("--drop-first", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.maildir, exist_ok=True)

    kwargs = {}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls[0], args.tls[1])
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = False
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
                return AuthResult(success=True)
            return AuthResult(success=False, handled=False)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = bool(args.tls)

    controller = Controller(Handler(args.maildir, args.drop_first), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    print("listening", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
