"""The bench's bare workflows: the floor of a Temporal Update on the same server, worker process
and data converter as the product, with no product code. In a module of their own, as the
product's workflows are: the sandbox imports a workflow's module for every run it starts, and a
script run as __main__ has no byte code to load, so it would be compiled again for each."""

from datetime import timedelta

from temporalio import activity, workflow


@workflow.defn
class BareWorkflow:
    """One update that increments a counter and returns it: the floor of a Temporal Update."""

    def __init__(self) -> None:
        self.count = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.count

    @workflow.signal
    def finish(self) -> None:
        self.done = True

    @workflow.update
    async def bump(self) -> int:
        self.count += 1
        return self.count


@activity.defn(name="bench_noop")
async def noop() -> None:
    return None


@workflow.defn
class LocalActivityWorkflow:
    """The same update, with one local activity that does nothing: what a local activity costs
    (a transition ran one, to write the read model, before the case workflow had an outbox)."""

    def __init__(self) -> None:
        self.count = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.count

    @workflow.signal
    def finish(self) -> None:
        self.done = True

    @workflow.update
    async def bump(self) -> int:
        await workflow.execute_local_activity(noop, start_to_close_timeout=timedelta(seconds=30))
        self.count += 1
        return self.count
