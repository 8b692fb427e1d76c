"""Who is acting. Every service takes the acting principal; tokens and checks come with issue 3."""

from dataclasses import dataclass, field

ROLES = ("admin", "regulator", "enterprise", "association")


@dataclass(frozen=True)
class Principal:
    name: str
    role: str = "admin"
    regions: tuple[str, ...] = field(default_factory=tuple)
    enterprise_id: str | None = None
    association_id: str | None = None

    @property
    def actor(self) -> str:
        """How milestones and the audit trail name this principal."""
        return f"{self.role}:{self.name}"


LOCAL_OPERATOR = Principal(name="local", role="admin")
