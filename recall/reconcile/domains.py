"""Each workflow kind as reconcile sees it: its type and query, the projection function the
workflow writes with (recall/<domain>/projection.py) and the input it builds for it, and which
rows the subject has. The values expected in those rows are never written out here: they are
what the projection function writes."""

import dataclasses
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity, workflow

from recall.associations.models import Association
from recall.associations.projection import project_association
from recall.cases.models import Case, CaseEnterprise, Hazard
from recall.cases.projection import project_case
from recall.cultivations.models import BrandCultivation
from recall.cultivations.projection import project_cultivation
from recall.files.models import StoredFile
from recall.programmes.models import Programme, ProgrammeMember, ProgrammeRegion
from recall.programmes.projection import project_programme
from recall.reconcile.rows import RowSet
from recall.reports.models import DefectReport
from recall.standards.models import Standard, StandardComment
from recall.standards.projection import project_standard
from workflows import activities
from workflows.association import AssociationWorkflow
from workflows.brand_cultivation import BrandCultivationWorkflow
from workflows.chain import ProgrammeProjection
from workflows.industry_programme import IndustryProgrammeWorkflow
from workflows.member_types import AssociationProjection, CultivationProjection
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import CaseProjection, MilestoneEvent
from workflows.standard import StandardWorkflow
from workflows.standard_types import StandardProjection

VERSIONED_CHILD = frozenset({"version"})  # a hazard or comment keeps the seq that last changed it


@dataclass(frozen=True)
class Domain:
    kind: str  # as the lines and the milestones (subject_type) name it
    workflow: type
    snapshot: Callable  # the workflow's query of its state
    subject_id: Callable[[Any], str]
    # (state, milestones) -> the projection of the whole state, as one event would carry it
    projection: Callable[[Any, list[MilestoneEvent]], Any]
    project: Callable[[AsyncSession, Any], Awaitable[None]]
    rows: Callable[[Any], list[RowSet]]  # the subject's rows (milestones apart)
    # The projection activities: their inputs in the history hold every milestone written.
    project_activities: tuple[Callable, Callable]
    projection_type: type

    @property
    def workflow_type(self) -> str:
        return workflow._Definition.must_from_class(self.workflow).name

    def activity_inputs(self) -> dict[str, Any]:
        """Activity name -> the type of its input: one projection, or a batch of them."""
        one, batch = (
            activity._Definition.get_name_and_result_type(a)[0] for a in self.project_activities
        )
        return {one: self.projection_type, batch: list[self.projection_type]}


def _case_rows(s) -> list[RowSet]:
    cited = [f for h in s.hazards.values() for f in h.evidence_file_ids]
    cited += s.progress_evidence_file_ids
    return [
        RowSet("cases", Case.__table__, Case.id == s.case_id, ("id",), "main"),
        RowSet(
            "hazards",
            Hazard.__table__,
            Hazard.case_id == s.case_id,
            ("id",),
            "owned",
            ignore=VERSIONED_CHILD,
        ),
        RowSet(
            "case_enterprises",
            CaseEnterprise.__table__,
            CaseEnterprise.case_id == s.case_id,
            ("enterprise_id",),
            "owned",
        ),
        RowSet(
            "defect_reports",
            DefectReport.__table__,
            DefectReport.id.in_(s.defect_report_ids),
            ("id",),
            "touched",
            columns=("case_id",),
        ),
        RowSet(
            "files",
            StoredFile.__table__,
            StoredFile.id.in_(cited),
            ("id",),
            "touched",
            columns=("case_id",),
        ),
    ]


def _case_projection(s, milestones: list[MilestoneEvent]) -> CaseProjection:
    hazards = [s.hazards[h] for h in sorted(s.hazards)]
    return CaseProjection(
        state=dataclasses.replace(s, hazards={}), hazards=hazards, milestones=milestones
    )


def _programme_rows(s) -> list[RowSet]:
    pid = s.programme_id
    return [
        RowSet("programmes", Programme.__table__, Programme.id == pid, ("id",), "main"),
        RowSet(
            "programme_regions",
            ProgrammeRegion.__table__,
            ProgrammeRegion.programme_id == pid,
            ("region_code",),
            "owned",
        ),
        RowSet(
            "programme_members",
            ProgrammeMember.__table__,
            ProgrammeMember.programme_id == pid,
            ("kind", "member_id"),
            "owned",
        ),
        # The projection gives its cases their programme when they have none yet.
        RowSet(
            "cases",
            Case.__table__,
            Case.id.in_(list(s.members.get("case", {}))),
            ("id",),
            "touched",
            columns=("programme_id",),
        ),
    ]


def _standard_rows(s) -> list[RowSet]:
    return [
        RowSet("standards", Standard.__table__, Standard.id == s.standard_id, ("id",), "main"),
        RowSet(
            "standard_comments",
            StandardComment.__table__,
            StandardComment.standard_id == s.standard_id,
            ("id",),
            "owned",
            ignore=VERSIONED_CHILD,
        ),
    ]


def _standard_projection(s, milestones: list[MilestoneEvent]) -> StandardProjection:
    comments = [s.comments[c] for c in sorted(s.comments)]
    return StandardProjection(
        state=dataclasses.replace(s, comments={}), comments=comments, milestones=milestones
    )


def _main_row(model) -> Callable[[Any], list[RowSet]]:
    def rows(s) -> list[RowSet]:
        return [
            RowSet(model.__tablename__, model.__table__, model.id == s.member_id, ("id",), "main")
        ]

    return rows


# In the order they are reconciled: a programme sets its cases' programme_id (so after the
# cases), and standards and cultivations name their programme (after the programmes).
DOMAINS = [
    Domain(
        "case",
        RecallCaseWorkflow,
        RecallCaseWorkflow.snapshot,
        lambda s: s.case_id,
        _case_projection,
        functools.partial(project_case, whole=True),
        _case_rows,
        (activities.project_case, activities.project_case_events),
        CaseProjection,
    ),
    Domain(
        "programme",
        IndustryProgrammeWorkflow,
        IndustryProgrammeWorkflow.snapshot,
        lambda s: s.programme_id,
        lambda s, m: ProgrammeProjection(state=s, milestones=m),
        project_programme,
        _programme_rows,
        (activities.project_programme, activities.project_programme_events),
        ProgrammeProjection,
    ),
    Domain(
        "association",
        AssociationWorkflow,
        AssociationWorkflow.snapshot,
        lambda s: s.association_id,
        lambda s, m: AssociationProjection(state=s, milestones=m),
        project_association,
        _main_row(Association),
        (activities.project_association, activities.project_association_events),
        AssociationProjection,
    ),
    Domain(
        "standard",
        StandardWorkflow,
        StandardWorkflow.snapshot,
        lambda s: s.standard_id,
        _standard_projection,
        project_standard,
        _standard_rows,
        (activities.project_standard, activities.project_standard_events),
        StandardProjection,
    ),
    Domain(
        "cultivation",
        BrandCultivationWorkflow,
        BrandCultivationWorkflow.snapshot,
        lambda s: s.cultivation_id,
        lambda s, m: CultivationProjection(state=s, milestones=m),
        project_cultivation,
        _main_row(BrandCultivation),
        (activities.project_cultivation, activities.project_cultivation_events),
        CultivationProjection,
    ),
]
