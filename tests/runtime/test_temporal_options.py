"""What recall.temporal.connect_options builds from RECALL_* settings and the SDK's own
TEMPORAL_* configuration, and the one-line errors for settings that cannot work."""

import logging
from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from recall.config import Settings
from recall.temporal import TemporalConfigError, connect, connect_options, describe

pytestmark = pytest.mark.usefixtures("isolated_env")


@pytest.fixture
def pem(tmp_path: Path):
    def write(name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(f"-----BEGIN {name}-----\n{name} bytes\n".encode())
        return path

    return write


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    """The SDK's environment, without the temporal.toml of the machine running the tests."""
    return {"TEMPORAL_CONFIG_FILE": str(tmp_path / "no-such-temporal.toml")}


def _settings(**temporal) -> Settings:
    return Settings(temporal=temporal)


def test_defaults_are_the_local_server_in_plain_text(environ) -> None:
    options = connect_options(_settings(), environ)
    assert options == {
        "target_host": "localhost:7233",
        "namespace": "default",
        "api_key": None,
        "tls": False,
    }


def test_recall_settings_give_tls_with_the_files_bytes_a_key_and_a_namespace(environ, pem) -> None:
    ca, cert, key = pem("ca.pem"), pem("client.pem"), pem("client-key.pem")
    settings = _settings(
        address="temporal.example.cn:7233",
        namespace="recall-prod",
        api_key="secret-key-1",
        tls_ca_path=ca,
        tls_cert_path=cert,
        tls_key_path=key,
        tls_server_name="temporal.internal",
    )
    options = connect_options(settings, environ)
    assert options["target_host"] == "temporal.example.cn:7233"
    assert options["namespace"] == "recall-prod"
    assert options["api_key"] == "secret-key-1"
    assert options["tls"] == TLSConfig(
        server_root_ca_cert=ca.read_bytes(),
        client_cert=cert.read_bytes(),
        client_private_key=key.read_bytes(),
        domain="temporal.internal",
    )
    assert describe(options) == (
        "temporal.example.cn:7233 namespace recall-prod (TLS mutual, API key set)"
    )


def test_the_variables_nest_as_documented(monkeypatch, pem) -> None:
    ca = pem("ca.pem")
    for name, value in {
        "RECALL_TEMPORAL__TLS_CA_PATH": str(ca),
        "RECALL_TEMPORAL__API_KEY": "s3cret-key",
        "RECALL_TEMPORAL__NAMESPACE": "ns-from-env",
        "RECALL_WORKER__MAX_CONCURRENT_WORKFLOW_TASKS": "7",
        "RECALL_WORKER__MAX_CONCURRENT_ACTIVITIES": "9",
        "RECALL_SHUTDOWN_GRACE_SECONDS": "3.5",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.temporal.tls_ca_path == ca
    assert settings.temporal.api_key.get_secret_value() == "s3cret-key"
    assert settings.namespace == "ns-from-env"
    assert settings.worker.max_concurrent_workflow_tasks == 7
    assert settings.worker.max_concurrent_activities == 9
    assert settings.shutdown_grace_seconds == 3.5
    assert "s3cret-key" not in repr(settings) and "s3cret-key" not in str(settings.model_dump())


def test_an_api_key_alone_means_tls_with_the_system_roots(environ) -> None:
    assert connect_options(_settings(api_key="k"), environ)["tls"] is True
    assert connect_options(_settings(api_key="k", tls=False), environ)["tls"] is False


def test_the_sdks_own_variables_work_and_recall_ones_win(environ, pem) -> None:
    ca = pem("sdk-ca.pem")
    environ |= {
        "TEMPORAL_ADDRESS": "sdk.example:7233",
        "TEMPORAL_NAMESPACE": "sdk-ns",
        "TEMPORAL_API_KEY": "sdk-key",
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(ca),
        "TEMPORAL_GRPC_META_X_TENANT": "zj",
    }
    options = connect_options(_settings(), environ)
    assert options["target_host"] == "sdk.example:7233"
    assert options["namespace"] == "sdk-ns"
    assert options["api_key"] == "sdk-key"
    assert options["tls"].server_root_ca_cert == ca.read_bytes()
    assert options["rpc_metadata"] == {"x-tenant": "zj"}

    mine = Settings(temporal_address="recall.example:7233", temporal={"namespace": "recall-ns"})
    options = connect_options(mine, environ)
    assert (options["target_host"], options["namespace"]) == ("recall.example:7233", "recall-ns")
    assert options["api_key"] == "sdk-key"  # what RECALL_* leaves unset still comes from the SDK

    embedded = _settings(sdk_config=False)  # `recall up`: its own dev server, nothing else
    assert connect_options(embedded, environ)["target_host"] == "localhost:7233"


def test_a_temporal_toml_profile_is_read(environ, tmp_path: Path) -> None:
    toml = tmp_path / "temporal.toml"
    toml.write_text('[profile.prod]\naddress = "toml.example:7233"\nnamespace = "toml-ns"\n')
    environ |= {"TEMPORAL_CONFIG_FILE": str(toml), "TEMPORAL_PROFILE": "prod"}
    options = connect_options(_settings(), environ)
    assert (options["target_host"], options["namespace"]) == ("toml.example:7233", "toml-ns")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"tls_cert_path": "client.pem"},
            "RECALL_TEMPORAL__TLS_CERT_PATH is set but RECALL_TEMPORAL__TLS_KEY_PATH is not: "
            "a client certificate needs its key",
        ),
        (
            {"tls_key_path": "client-key.pem"},
            "RECALL_TEMPORAL__TLS_KEY_PATH is set but RECALL_TEMPORAL__TLS_CERT_PATH is not: "
            "a client certificate needs its key",
        ),
        (
            {"tls_ca_path": "missing.pem"},
            "cannot read RECALL_TEMPORAL__TLS_CA_PATH ({dir}/missing.pem): "
            "No such file or directory",
        ),
        (
            {"tls_ca_path": "empty.pem"},
            "RECALL_TEMPORAL__TLS_CA_PATH ({dir}/empty.pem) is empty",
        ),
        (
            {"tls": False, "tls_ca_path": "ca.pem"},
            "TLS is turned off, yet RECALL_TEMPORAL__TLS_CA_PATH is set",
        ),
    ],
)
def test_settings_that_cannot_work_are_one_line_naming_the_setting(
    environ, pem, tmp_path: Path, given: dict, message: str
) -> None:
    pem("client.pem"), pem("client-key.pem"), pem("ca.pem")
    (tmp_path / "empty.pem").write_bytes(b"")
    given = {k: tmp_path / v if k.endswith("_path") else v for k, v in given.items()}
    with pytest.raises(TemporalConfigError) as refused:
        connect_options(_settings(**given), environ)
    assert str(refused.value) == message.format(dir=tmp_path)


def test_half_a_pair_from_the_sdks_variables_names_them(environ, pem) -> None:
    environ["TEMPORAL_TLS_CLIENT_CERT_PATH"] = str(pem("client.pem"))
    with pytest.raises(TemporalConfigError, match="^TEMPORAL_TLS_CLIENT_CERT_PATH is set but "):
        connect_options(_settings(), environ)


def test_an_unreadable_file_from_the_sdks_variables_names_it(environ, tmp_path: Path) -> None:
    environ["TEMPORAL_TLS_SERVER_CA_CERT_PATH"] = str(tmp_path / "gone.pem")
    with pytest.raises(TemporalConfigError, match="^cannot read TEMPORAL_TLS_SERVER_CA_CERT_PATH"):
        connect_options(_settings(), environ)


async def test_the_api_key_is_never_logged(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(address="127.0.0.1:1", api_key="never-in-a-log", sdk_config=False)
    await connect(settings, lazy=True)
    assert "127.0.0.1:1" in caplog.text and "API key set" in caplog.text
    assert "never-in-a-log" not in caplog.text
