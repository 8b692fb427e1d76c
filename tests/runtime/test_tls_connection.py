"""A real connection over TLS with a client certificate, configured by RECALL_* variables: the
dev server behind a TLS front (tests/runtime/certs.py) that insists on a certificate of its CA."""

import shutil
from pathlib import Path

import pytest

from recall.config import Settings
from recall.temporal import connect
from tests.runtime.certs import SERVER_NAME, make_certificates, tls_front

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("isolated_env"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command"),
]


async def test_mutual_tls_from_recall_variables(dev_env, tmp_path: Path, monkeypatch) -> None:
    certs = make_certificates(tmp_path)
    target = dev_env.client.service_client.config.target_host
    async with tls_front(certs, target) as front:
        monkeypatch.setenv("RECALL_TEMPORAL__ADDRESS", front)
        monkeypatch.setenv("RECALL_TEMPORAL__TLS_CA_PATH", str(certs.ca))
        monkeypatch.setenv("RECALL_TEMPORAL__TLS_CERT_PATH", str(certs.client_cert))
        monkeypatch.setenv("RECALL_TEMPORAL__TLS_KEY_PATH", str(certs.client_key))
        monkeypatch.setenv("RECALL_TEMPORAL__TLS_SERVER_NAME", SERVER_NAME)
        client = await connect(Settings())  # not lazy: a call to the server over TLS
        assert await client.service_client.check_health()
        assert client.namespace == "default"

        # the front does refuse a client without a certificate: the one above was sent
        monkeypatch.delenv("RECALL_TEMPORAL__TLS_CERT_PATH")
        monkeypatch.delenv("RECALL_TEMPORAL__TLS_KEY_PATH")
        with pytest.raises(RuntimeError, match="Failed client connect"):
            await connect(Settings())
        # and the server's certificate is checked against the CA given
        monkeypatch.setenv("RECALL_TEMPORAL__TLS_CA_PATH", str(certs.client_cert))
        monkeypatch.setenv("RECALL_TEMPORAL__TLS_CERT_PATH", str(certs.client_cert))
        monkeypatch.setenv("RECALL_TEMPORAL__TLS_KEY_PATH", str(certs.client_key))
        with pytest.raises(RuntimeError, match="InvalidCertificate"):
            await connect(Settings())
