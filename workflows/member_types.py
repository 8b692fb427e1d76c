"""What crosses the boundary of the association and brand-cultivation workflows: their state
(also their input, so continue-as-new carries it), their commands and their projections.

Plain dataclasses only (serialised by the pydantic data converter)."""

from dataclasses import dataclass, field
from datetime import datetime

from workflows.shared import MilestoneEvent


@dataclass
class AssociationState:
    association_id: str
    name: str
    founding_enterprise_ids: list[str]
    region_codes: list[str]  # the regions of the founding enterprises
    created_by: str
    # proposed -> preparing (筹备) -> charter_adopted (章程通过) -> registered (登记成立)
    stage: str = "proposed"
    seq: int = 0
    created_at: datetime | None = None
    registration_no: str | None = None
    registered_at: datetime | None = None
    # the programmes it belongs to (the read model), and the workflows it reports to
    programme_ids: list[str] = field(default_factory=list)
    programme_workflow_ids: list[str] = field(default_factory=list)
    # Update ids the previous run applied last, carried over continue-as-new (workflows.journal).
    carried_update_ids: list[str] = field(default_factory=list)

    @property
    def member_id(self) -> str:
        return self.association_id


@dataclass
class CultivationState:
    cultivation_id: str
    programme_id: str
    enterprise_id: str
    created_by: str
    tier: str | None = None
    # enrolled -> diagnosed -> improving -> certification_applied -> certified -> labelled
    stage: str = "enrolled"
    seq: int = 0
    created_at: datetime | None = None
    certificate_no: str | None = None
    certified_at: datetime | None = None
    labelled_at: datetime | None = None
    programme_workflow_ids: list[str] = field(default_factory=list)
    # Update ids the previous run applied last, carried over continue-as-new (workflows.journal).
    carried_update_ids: list[str] = field(default_factory=list)

    @property
    def member_id(self) -> str:
        return self.cultivation_id


# --- Update inputs --------------------------------------------------------------------------


@dataclass
class CreateMember:
    """The first update, sent with the start: returns once the read model is written."""

    actor: str


@dataclass
class StageTransition:
    actor: str
    to: str
    note: str | None = None
    registration_no: str | None = None  # to register an association
    certificate_no: str | None = None  # to certify a brand cultivation


# --- Activity inputs ------------------------------------------------------------------------


@dataclass
class AssociationProjection:
    state: AssociationState
    milestones: list[MilestoneEvent]


@dataclass
class CultivationProjection:
    state: CultivationState
    milestones: list[MilestoneEvent]
