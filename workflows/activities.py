"""The activities the workflows call, declared by their signatures only.

Workflows refer to these definitions, never to names in strings; the application implements
each one under the same name (recall.common.activities.implements) and the worker registers it.
Each domain has two writes of its read model: one event (the local activity of runs recorded
before projections waited for their workflow task to commit) and a batch of committed events."""

from temporalio import activity

from workflows.chain import ProgrammeProjection
from workflows.member_types import AssociationProjection, CultivationProjection
from workflows.shared import CaseProjection, CaseState, OverdueNotice
from workflows.standard_types import StandardProjection


def _declared() -> None:
    raise NotImplementedError("declared here, implemented by the application's worker")


@activity.defn
async def open_case(state: CaseState) -> str:
    """Runs recorded before the API gave cases their numbers: create the row, return its number."""
    _declared()


@activity.defn
async def project_case(p: CaseProjection) -> None:
    _declared()


@activity.defn
async def project_case_events(batch: list[CaseProjection]) -> None:
    _declared()


@activity.defn
async def project_programme(p: ProgrammeProjection) -> None:
    _declared()


@activity.defn
async def project_programme_events(batch: list[ProgrammeProjection]) -> None:
    _declared()


@activity.defn
async def project_standard(p: StandardProjection) -> None:
    _declared()


@activity.defn
async def project_standard_events(batch: list[StandardProjection]) -> None:
    _declared()


@activity.defn
async def project_association(p: AssociationProjection) -> None:
    _declared()


@activity.defn
async def project_association_events(batch: list[AssociationProjection]) -> None:
    _declared()


@activity.defn
async def project_cultivation(p: CultivationProjection) -> None:
    _declared()


@activity.defn
async def project_cultivation_events(batch: list[CultivationProjection]) -> None:
    _declared()


@activity.defn
async def notify_overdue(notice: OverdueNotice) -> bool:
    _declared()
