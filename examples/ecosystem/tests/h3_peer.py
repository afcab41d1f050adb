"""An outside HTTP/3 peer for tests/h3.rs: aioquic's H3Connection as client
or server (aioquic ships its own HTTP/3 client and server only in its source
repository, as examples). Each event is one JSON line on stdout.

    client URL --cafile CA [--cert C --key K]
        GETs URL over HTTP/3 (ALPN h3) and prints
        {"ok": true, "alpn": ..., "status": ..., "headers": {...},
         "body": ..., "peer_sha256": ...} or
        {"ok": false, "error_code": ..., "reason": ...}

    server --cert C --key K --body TEXT [--request-client-cert]
        Prints "listening PORT" (UDP on 127.0.0.1), then for each
        connection {"event": "handshake", "alpn": ..., "client_sha256": ...}
        and for each request {"event": "request", "method": ..., "path": ...,
        "authority": ...}, answering 200 with TEXT; serves until stdin closes.
"""

import argparse
import asyncio
import hashlib
import json
import sys
from urllib.parse import urlparse

from aioquic import tls
from aioquic.asyncio import connect, serve
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, ErrorCode, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, HandshakeCompleted
from cryptography.hazmat.primitives.serialization import Encoding


def say(obj):
    print(json.dumps(obj), flush=True)


def sha256(cert):
    if cert is None:
        return None
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


class H3Peer(QuicConnectionProtocol):
    """HTTP/3 over one QUIC connection: the client waits for responses, the
    server answers each request with the fixed body."""

    body = b""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.http = H3Connection(self._quic)
        self.handshake = None
        self.terminated = None
        self.responses = {}
        self.waiters = {}

    def quic_event_received(self, event):
        if isinstance(event, HandshakeCompleted):
            self.handshake = event
            if not self._quic.configuration.is_client:
                say(
                    {
                        "event": "handshake",
                        "alpn": event.alpn_protocol,
                        "client_sha256": sha256(self._quic.tls._peer_certificate),
                    }
                )
        elif isinstance(event, ConnectionTerminated):
            self.terminated = event
            for waiter in self.waiters.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError(event.reason_phrase))
        for h3_event in self.http.handle_event(event):
            if self._quic.configuration.is_client:
                self.client_event(h3_event)
            else:
                self.server_event(h3_event)

    def client_event(self, event):
        if not isinstance(event, (HeadersReceived, DataReceived)):
            return
        response = self.responses.setdefault(
            event.stream_id, {"headers": {}, "body": b""}
        )
        if isinstance(event, HeadersReceived):
            for name, value in event.headers:
                response["headers"][name.decode()] = value.decode()
        else:
            response["body"] += event.data
        if event.stream_ended:
            waiter = self.waiters.pop(event.stream_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(self.responses.pop(event.stream_id))

    def server_event(self, event):
        if isinstance(event, HeadersReceived):
            headers = dict(event.headers)
            say(
                {
                    "event": "request",
                    "method": headers.get(b":method", b"").decode(),
                    "path": headers.get(b":path", b"").decode(),
                    "authority": headers.get(b":authority", b"").decode(),
                }
            )
            self.http.send_headers(
                event.stream_id,
                [
                    (b":status", b"200"),
                    (b"content-type", b"text/plain"),
                    (b"server", b"aioquic"),
                ],
            )
            self.http.send_data(event.stream_id, self.body, end_stream=True)
            self.transmit()

    async def get(self, url):
        stream_id = self._quic.get_next_available_stream_id()
        self.http.send_headers(
            stream_id,
            [
                (b":method", b"GET"),
                (b":scheme", b"https"),
                (b":authority", url.netloc.encode()),
                (b":path", (url.path or "/").encode()),
                (b"user-agent", b"aioquic"),
            ],
            end_stream=True,
        )
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[stream_id] = waiter
        self.transmit()
        return await asyncio.wait_for(waiter, 10)


async def run_client(args):
    url = urlparse(args.url)
    config = QuicConfiguration(
        is_client=True,
        alpn_protocols=H3_ALPN,
        server_name=url.hostname,
        idle_timeout=10.0,
    )
    config.load_verify_locations(cafile=args.cafile)
    if args.cert:
        config.load_cert_chain(args.cert, args.key)
    protocol = None

    def create(*a, **kw):
        nonlocal protocol
        protocol = H3Peer(*a, **kw)
        return protocol

    try:
        async with connect(
            args.host or url.hostname,
            url.port or 443,
            configuration=config,
            create_protocol=create,
        ) as client:
            response = await client.get(url)
            say(
                {
                    "ok": True,
                    "alpn": client.handshake.alpn_protocol,
                    "status": int(response["headers"].get(":status", "0")),
                    "headers": response["headers"],
                    "body": response["body"].decode(errors="replace"),
                    "peer_sha256": sha256(client._quic.tls._peer_certificate),
                }
            )
            # HTTP/3's own "no error" (RFC 9114 §8.1), not QUIC's 0.
            client.close(error_code=ErrorCode.H3_NO_ERROR)
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


async def run_server(args):
    if args.request_client_cert:
        # aioquic asks for a client certificate only through this switch
        # (it checks the client's handshake signature, not its chain).
        init = tls.Context.__init__

        def requesting(self, *a, **kw):
            init(self, *a, **kw)
            self._request_client_certificate = not self._is_client

        tls.Context.__init__ = requesting
    H3Peer.body = args.body.encode()
    config = QuicConfiguration(is_client=False, alpn_protocols=H3_ALPN, idle_timeout=10.0)
    config.load_cert_chain(args.cert, args.key)
    server = await serve("127.0.0.1", 0, configuration=config, create_protocol=H3Peer)
    print(f"listening {server._transport.get_extra_info('sockname')[1]}", flush=True)
    # Serve until the test closes stdin.
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    client = sub.add_parser("client")
    client.add_argument("url")
    client.add_argument("--host", help="the address to connect to, if not the URL's host")
    client.add_argument("--cafile", required=True)
    client.add_argument("--cert")
    client.add_argument("--key")
    server = sub.add_parser("server")
    server.add_argument("--cert", required=True)
    server.add_argument("--key", required=True)
    server.add_argument("--body", required=True)
    server.add_argument("--request-client-cert", action="store_true")
    args = parser.parse_args()
    if args.mode == "client":
        asyncio.run(run_client(args))
    else:
        asyncio.run(run_server(args))


if __name__ == "__main__":
    main()
