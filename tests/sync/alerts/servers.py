"""Servers the alert notices go to in tests: a real SMTP relay (aiosmtpd) and a Slack-style webhook receiver.

The relay speaks plain SMTP, STARTTLS or TLS from the start with a certificate from a test CA
(trustme), asks for a login when given users, and can refuse a sender or recipients with the reply
a real relay gives. Everything it accepts is kept as parsed messages.
"""
from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None
    tls: bool


class Relay:
    """An SMTP relay on 127.0.0.1. ``refuse_sender`` / ``refuse_rcpt`` hold the reply that refuses them."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, implicit_tls: bool = False,
                 users: dict[str, str] | None = None) -> None:
        self.received: list[Received] = []
        self.refuse_sender = ""
        self.refuse_rcpt: dict[str, str] = {}
        self.users = users or {}
        self.port = free_port()
        # aiosmtpd counts STARTTLS only as TLS for AUTH; with TLS from the start the whole session is TLS.
        options: dict[str, Any] = {"auth_require_tls": tls is not None and not implicit_tls}
        if self.users:
            options["authenticator"] = self._authenticate
        if tls is not None and not implicit_tls:
            options |= {"tls_context": tls, "require_starttls": True}
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     ssl_context=tls if implicit_tls else None, **options)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            if self.users.get(login) == password:
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)


class _Handler:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.relay.refuse_sender:
            return self.relay.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.relay.refuse_rcpt:
            return self.relay.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        login = session.auth_data if session.authenticated else None
        tls = session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None
        self.relay.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, login, tls))
        return "250 Message accepted for delivery"


class Receiver:
    """A local Slack-compatible webhook receiver: records every JSON body; answers `status` with `reply`."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        self.reply = b"ok"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # stdlib name
                receiver.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.reply)))
                self.end_headers()
                self.wfile.write(receiver.reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/secret-path"
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
