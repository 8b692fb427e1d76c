"""How other domains tie their things to a programme: one programme update, `link_member`.

The programme records the member at once (so a read right after shows it) and asks the member's
workflow to report its status; from then on the member signals every change itself."""

from recall.commands import CommandContext
from recall.programmes.projection import project_programme
from workflows.chain import LinkMember, programme_workflow_id
from workflows.industry_programme import IndustryProgrammeWorkflow


async def link_member(
    cmd: CommandContext, *, programme_id: str, kind: str, member_id: str, key: str = "link"
) -> None:
    await cmd.send(
        programme_workflow_id(programme_id),
        IndustryProgrammeWorkflow.link_member,
        LinkMember(kind=kind, member_id=member_id, actor=cmd.actor),
        key=key,
        project=project_programme,
    )
