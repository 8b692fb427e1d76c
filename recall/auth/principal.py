"""Who is acting: every service takes the acting principal."""

from dataclasses import dataclass, field

ROLES = ("admin", "regulator", "enterprise", "association")


@dataclass(frozen=True)
class Principal:
    name: str
    role: str = "admin"
    regions: tuple[str, ...] = field(default_factory=tuple)
    enterprise_id: str | None = None
    association_id: str | None = None
    token_id: str | None = None

    @property
    def actor(self) -> str:
        """How milestones and the audit trail name this principal."""
        return f"{self.role}:{self.name}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
