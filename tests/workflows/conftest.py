"""The recall-case workflow's fixture: a worker on the time-skipping server writing to
PostgreSQL, and a way to open cases on it that are terminated once the test ends."""

import uuid

import pytest

from tests.conftest import running_worker
from tests.workflows.helpers import finish, open_case, seed_reference


@pytest.fixture
async def case_env(time_env, db, fresh_webhook):
    await seed_reference(db)
    task_queue = f"wf-{uuid.uuid4().hex[:8]}"
    handles = []

    async def open_(**kwargs):
        handle = await open_case(time_env.client, task_queue, db, **kwargs)
        handles.append(handle)
        return handle

    async with running_worker(
        time_env.client, db, task_queue=task_queue, webhook_url=fresh_webhook.url
    ):
        yield {
            "client": time_env.client,
            "tq": task_queue,
            "db": db,
            "env": time_env,
            "webhook": fresh_webhook,
            "open": open_,
        }
        # The time-skipping server stops skipping while any workflow has work no worker takes.
        for handle in handles:
            await finish(handle)
