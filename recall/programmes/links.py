"""How other domains tie their things to a programme: one programme update, `link_member`.

The programme records the member at once (so a read right after shows it) and asks the member's
workflow to report its status; from then on the member signals every change itself."""

from sqlalchemy.ext.asyncio import AsyncSession

from recall.engine import WorkflowEngine
from workflows.chain import LinkMember, programme_workflow_id


async def link_member(
    engine: WorkflowEngine,
    *,
    programme_id: str,
    kind: str,
    member_id: str,
    actor: str,
    update_id: str,
    reader: AsyncSession,
) -> None:
    await engine.command(
        programme_workflow_id(programme_id),
        "link_member",
        LinkMember(kind=kind, member_id=member_id, actor=actor),
        update_id=update_id,
        reader=reader,
    )
