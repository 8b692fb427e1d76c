"""The Temporal client, configured the same way for the API, the worker and the CLI."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from recall.config import Settings


async def connect(settings: Settings, *, lazy: bool = False) -> Client:
    return await Client.connect(
        settings.temporal_target,
        namespace=settings.namespace,
        data_converter=pydantic_data_converter,
        lazy=lazy,
    )
