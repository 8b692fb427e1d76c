"""The Temporal client, configured the same way for the API, the worker and the CLI.

The SDK's environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TEMPORAL_TLS_*, TEMPORAL_GRPC_META_*, a temporal.toml profile chosen by TEMPORAL_PROFILE) is read
first; what RECALL_* sets wins over it, setting by setting."""

import functools
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)
from temporalio.envconfig import ClientConfigProfile, DataSource
from temporalio.service import TLSConfig

from recall.config import Settings

log = logging.getLogger("recall.temporal")

DEFAULT_ADDRESS = "localhost:7233"
DEFAULT_NAMESPACE = "default"


# The SDK makes a payload converter for every workflow run, and pydantic's converter keeps its
# TypeAdapters per converter: every run built again the adapter of each type it met (about 0.7 ms
# per Update type per case). One cache for the process; the types are the same for every run.
_ADAPTERS = functools.lru_cache(maxsize=1024)(TypeAdapter)


class _SharedAdapters(PydanticJSONPlainPayloadConverter):
    def __init__(self) -> None:
        super().__init__()
        self._type_adapter = _ADAPTERS

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._type_adapter = _ADAPTERS


@functools.cache
def _encoding_converters() -> tuple:
    """The default converters with pydantic's for JSON, made once: none keeps a state of its own
    (the adapters are shared anyway), and the SDK makes a payload converter for every workflow
    activation, where making pydantic's (its SchemaSerializer) was about 3 % of the worker's CPU."""
    shared = _SharedAdapters()
    return tuple(
        shared if isinstance(c, JSONPlainPayloadConverter) else c
        for c in DefaultPayloadConverter.default_encoding_payload_converters
    )


class PayloadConverter(CompositePayloadConverter):
    """The SDK's pydantic payload converter (the same JSON on the wire), its TypeAdapters shared."""

    def __init__(self) -> None:
        super().__init__(*_encoding_converters())


data_converter = DataConverter(payload_converter_class=PayloadConverter)


class TemporalConfigError(ValueError):
    """A Temporal setting that cannot work (an unreadable file, half a client pair); one line."""


# Where each TLS source came from, for the error that names it.
_SDK_NAMES = {
    "server_root_ca_cert": "TEMPORAL_TLS_SERVER_CA_CERT",
    "client_cert": "TEMPORAL_TLS_CLIENT_CERT",
    "client_private_key": "TEMPORAL_TLS_CLIENT_KEY",
}
_RECALL_NAMES = {
    "server_root_ca_cert": ("tls_ca_path", "RECALL_TEMPORAL__TLS_CA_PATH"),
    "client_cert": ("tls_cert_path", "RECALL_TEMPORAL__TLS_CERT_PATH"),
    "client_private_key": ("tls_key_path", "RECALL_TEMPORAL__TLS_KEY_PATH"),
}


def _sdk_profile(settings: Settings, environ: Mapping[str, str]) -> ClientConfigProfile:
    if not settings.temporal.sdk_config:
        return ClientConfigProfile()
    try:
        return ClientConfigProfile.load(override_env_vars=dict(environ))
    except (RuntimeError, OSError, ValueError) as err:  # the SDK's ConfigError is a RuntimeError
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise TemporalConfigError(f"Temporal's own settings (TEMPORAL_*): {first_line}") from err


def _tls_source(
    settings: Settings, profile: ClientConfigProfile, field: str, environ: Mapping[str, str]
) -> tuple[DataSource | None, str]:
    """The file or data for one TLS field and the name of the setting it came from."""
    attribute, recall_name = _RECALL_NAMES[field]
    if (path := getattr(settings.temporal, attribute)) is not None:
        return path, recall_name
    source = getattr(profile.tls, field, None) if profile.tls else None
    if source is None:
        return None, recall_name
    sdk_name = _SDK_NAMES[field] + ("_PATH" if isinstance(source, Path) else "_DATA")
    return source, sdk_name if sdk_name in environ else f"the temporal.toml profile's {field}"


def _read(source: DataSource | None, name: str) -> bytes | None:
    if source is None:
        return None
    if isinstance(source, Path):
        try:
            data = source.read_bytes()
        except OSError as err:
            raise TemporalConfigError(f"cannot read {name} ({source}): {err.strerror}") from err
        if not data.strip():
            raise TemporalConfigError(f"{name} ({source}) is empty")
        return data
    return source.encode() if isinstance(source, str) else source


def _tls(
    settings: Settings,
    profile: ClientConfigProfile,
    api_key: str | None,
    environ: Mapping[str, str],
) -> bool | TLSConfig:
    ca, ca_name = _tls_source(settings, profile, "server_root_ca_cert", environ)
    cert, cert_name = _tls_source(settings, profile, "client_cert", environ)
    key, key_name = _tls_source(settings, profile, "client_private_key", environ)
    server_name = settings.temporal.tls_server_name or (profile.tls and profile.tls.server_name)
    if (cert is None) != (key is None):
        given, missing = (cert_name, key_name) if key is None else (key_name, cert_name)
        raise TemporalConfigError(
            f"{given} is set but {missing} is not: a client certificate needs its key"
        )
    if settings.temporal.tls is not None:
        enabled = settings.temporal.tls
    elif profile.tls is not None and profile.tls.disabled is not None:
        enabled = not profile.tls.disabled
    else:
        enabled = any(x is not None for x in (ca, cert, api_key, server_name))
    if not enabled:
        if ca is not None or cert is not None:
            raise TemporalConfigError(
                f"TLS is turned off, yet {ca_name if ca else cert_name} is set"
            )
        return False
    if ca is None and cert is None and server_name is None:
        return True  # the system's roots, no client certificate
    return TLSConfig(
        server_root_ca_cert=_read(ca, ca_name),
        client_cert=_read(cert, cert_name),
        client_private_key=_read(key, key_name),
        domain=server_name or None,
    )


def connect_options(settings: Settings, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for Client.connect (target_host, namespace, api_key, tls, rpc_metadata).
    environ stands in for os.environ (the SDK's TEMPORAL_* variables). TLS files are read here,
    so a wrong one is a TemporalConfigError at start, not a failed handshake later."""
    environ = os.environ if environ is None else environ
    profile = _sdk_profile(settings, environ)
    api_key = (
        settings.temporal.api_key.get_secret_value()
        if settings.temporal.api_key is not None
        else profile.api_key
    ) or None
    options: dict[str, Any] = {
        "target_host": settings.temporal_target or profile.address or DEFAULT_ADDRESS,
        "namespace": settings.namespace or profile.namespace or DEFAULT_NAMESPACE,
        "api_key": api_key,
        "tls": _tls(settings, profile, api_key, environ),
    }
    if profile.grpc_meta:
        options["rpc_metadata"] = dict(profile.grpc_meta)
    return options


def describe(options: Mapping[str, Any]) -> str:
    """Where the options lead, for logs and errors; never the API key."""
    tls = options["tls"]
    mode = "off" if tls is False else "mutual" if getattr(tls, "client_cert", None) else "on"
    key = "set" if options.get("api_key") else "none"
    return f"{options['target_host']} namespace {options['namespace']} (TLS {mode}, API key {key})"


async def connect(settings: Settings, *, lazy: bool = False) -> Client:
    options = connect_options(settings)
    log.info("Temporal at %s", describe(options))
    return await Client.connect(**options, data_converter=data_converter, lazy=lazy)
