"""A certificate authority and a server and client certificate from the openssl command, and a
TLS front for a plain Temporal server: the dev server serves no TLS of its own."""

import asyncio
import contextlib
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

SERVER_NAME = "temporal.recall.test"


@dataclass
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certificates(folder: Path) -> Certificates:
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
    ca, ca_key = folder / "ca.pem", folder / "ca-key.pem"
    _openssl(
        "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca), "-subj", "/CN=recall test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    made = {}
    for role, usage, name in (("server", "serverAuth", SERVER_NAME), ("client", "clientAuth", "")):
        cert, key = folder / f"{role}.pem", folder / f"{role}-key.pem"
        extensions = ["-addext", f"extendedKeyUsage={usage}"]
        if name:
            extensions += ["-addext", f"subjectAltName=DNS:{name}"]
        _openssl(
            "req", "-x509", *ec, "-CA", str(ca), "-CAkey", str(ca_key),
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN=recall test {role}",
            "-addext", "basicConstraints=critical,CA:FALSE", *extensions,
        )  # fmt: skip
        made[role] = (cert, key)
    return Certificates(ca, *made["server"], *made["client"])


@contextlib.asynccontextmanager
async def tls_front(certs: Certificates, target: str) -> AsyncIterator[str]:
    """host:port that ends TLS (a client certificate signed by the CA required, HTTP/2 offered)
    and passes the bytes on to target; yields its address."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs.ca))
    context.load_cert_chain(certs.server_cert, certs.server_key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["h2"])
    host, port = target.rsplit(":", 1)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    address = server.sockets[0].getsockname()
    try:
        yield f"{address[0]}:{address[1]}"
    finally:
        server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 2)
