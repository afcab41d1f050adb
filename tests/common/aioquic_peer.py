"""An outside QUIC peer for tests/quic.rs: aioquic as client or server.

The application protocol is a stream echo under the ALPN name given
(tests/quic.rs uses "sslconf-echo"): the client opens one bidirectional
stream, sends a line and the stream's end; the server sends back what it
read and ends the stream. Each event is one JSON line on stdout.

    client HOST PORT --server-name N --cafile CA [--cert C --key K]
           [--connections N] [--alpn A]
        One JSON line per connection, each resuming the last one's
        session when the server handed a ticket:
        {"ok": true, "alpn": ..., "resumed": ..., "cipher": ...,
         "echo": ..., "peer_sha256": ...} (aioquic keeps no peer
        certificate for a resumed session: null then) or
        {"ok": false, "error_code": ..., "reason": ...}

    server --cert C --key K [--request-client-cert] [--alpn A]
        Prints "listening PORT", then for each connection
        {"event": "handshake", "alpn": ..., "resumed": ..., "cipher": ...,
         "client_sha256": ...} and {"event": "terminated", ...}; serves
        until stdin closes. Session tickets are issued and accepted.
"""

import argparse
import asyncio
import hashlib
import json
import sys

from aioquic import tls
from aioquic.asyncio import connect, serve
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import (
    ConnectionTerminated,
    HandshakeCompleted,
    StreamDataReceived,
)
from cryptography.hazmat.primitives.serialization import Encoding


def say(obj):
    print(json.dumps(obj), flush=True)


def sha256(cert):
    if cert is None:
        return None
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def cipher_name(quic):
    schedule = getattr(quic.tls, "key_schedule", None)
    suite = getattr(schedule, "cipher_suite", None)
    return None if suite is None else suite.name


class Peer(QuicConnectionProtocol):
    """Records the handshake and the end; the server side echoes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handshake = None
        self.terminated = None

    def quic_event_received(self, event):
        if isinstance(event, HandshakeCompleted):
            self.handshake = event
            if not self._quic.configuration.is_client:
                say(
                    {
                        "event": "handshake",
                        "alpn": event.alpn_protocol,
                        "resumed": event.session_resumed,
                        "cipher": cipher_name(self._quic),
                        "client_sha256": sha256(self._quic.tls._peer_certificate),
                    }
                )
        elif isinstance(event, StreamDataReceived):
            if not self._quic.configuration.is_client:
                self._quic.send_stream_data(
                    event.stream_id, event.data, end_stream=event.end_stream
                )
                self.transmit()
                # Echoed here: no stream reader and writer for it.
                return
        elif isinstance(event, ConnectionTerminated):
            self.terminated = event
            if not self._quic.configuration.is_client:
                say(
                    {
                        "event": "terminated",
                        "error_code": event.error_code,
                        "reason": event.reason_phrase,
                    }
                )
        super().quic_event_received(event)


async def run_client(args):
    ticket = None
    for n in range(args.connections):
        config = QuicConfiguration(
            is_client=True,
            alpn_protocols=[args.alpn],
            server_name=args.server_name,
            idle_timeout=10.0,
        )
        config.load_verify_locations(cafile=args.cafile)
        if args.cert:
            config.load_cert_chain(args.cert, args.key)
        config.session_ticket = ticket
        tickets = []
        protocol = None

        def create(*a, **kw):
            nonlocal protocol
            protocol = Peer(*a, **kw)
            return protocol

        try:
            async with connect(
                args.host,
                args.port,
                configuration=config,
                create_protocol=create,
                session_ticket_handler=tickets.append,
            ) as client:
                reader, writer = await client.create_stream()
                writer.write(f"ping {n}".encode())
                writer.write_eof()
                echo = await asyncio.wait_for(reader.read(), 10)
                # Let the server's tickets (or its refusal) arrive.
                await asyncio.sleep(0.05)
                if protocol.terminated is not None:
                    # TLS 1.3: a server that refuses the client's
                    # certificate does so after the client's handshake.
                    raise ConnectionError("closed by the server")
                say(
                    {
                        "ok": True,
                        "alpn": protocol.handshake.alpn_protocol,
                        "resumed": protocol.handshake.session_resumed,
                        "cipher": cipher_name(client._quic),
                        "echo": echo.decode(),
                        "peer_sha256": sha256(client._quic.tls._peer_certificate),
                    }
                )
                client.close()
        except Exception as error:  # noqa: BLE001: every failure is reported
            end = protocol.terminated if protocol is not None else None
            if end is None and protocol is not None:
                end = getattr(protocol._quic, "_close_event", None)
            say(
                {
                    "ok": False,
                    "error_code": None if end is None else end.error_code,
                    "reason": (
                        f"{type(error).__name__}: {error}"
                        if end is None
                        else end.reason_phrase
                    ),
                }
            )
        if tickets:
            ticket = tickets[-1]


async def run_server(args):
    if args.request_client_cert:
        # aioquic asks for a client certificate only through this switch
        # (it checks the client's handshake signature, not its chain).
        init = tls.Context.__init__

        def requesting(self, *a, **kw):
            init(self, *a, **kw)
            self._request_client_certificate = not self._is_client

        tls.Context.__init__ = requesting
    config = QuicConfiguration(
        is_client=False, alpn_protocols=[args.alpn], idle_timeout=10.0
    )
    config.load_cert_chain(args.cert, args.key)
    tickets = {}
    server = await serve(
        "127.0.0.1",
        0,
        configuration=config,
        create_protocol=Peer,
        session_ticket_fetcher=tickets.pop,
        session_ticket_handler=lambda t: tickets.__setitem__(t.ticket, t),
    )
    print(f"listening {server._transport.get_extra_info('sockname')[1]}", flush=True)
    # Serve until the test closes stdin.
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    client = sub.add_parser("client")
    client.add_argument("host")
    client.add_argument("port", type=int)
    client.add_argument("--server-name", required=True)
    client.add_argument("--cafile", required=True)
    client.add_argument("--cert")
    client.add_argument("--key")
    client.add_argument("--connections", type=int, default=1)
    client.add_argument("--alpn", default="sslconf-echo")
    server = sub.add_parser("server")
    server.add_argument("--cert", required=True)
    server.add_argument("--key", required=True)
    server.add_argument("--request-client-cert", action="store_true")
    server.add_argument("--alpn", default="sslconf-echo")
    args = parser.parse_args()
    if args.mode == "client":
        asyncio.run(run_client(args))
    else:
        asyncio.run(run_server(args))


if __name__ == "__main__":
    main()
