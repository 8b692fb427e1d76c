"""Stage machines whose stages are taken strictly in order, as plain checks (stdlib only).

An association and a brand cultivation each walk a fixed list of stages. A step to anything but
the next stage (skipped or repeated) is a 409 naming the current and the wanted next stage; a
stage that needs a field (a registration number to register, a certificate number to certify)
is a 422 naming the field when it is missing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from recall.rules.refusal import RuleViolation


@dataclass(frozen=True)
class OrderedStages:
    noun: str  # how messages name the thing: "association", "brand cultivation"
    stages: tuple[str, ...]
    # stage -> the field it needs, e.g. {"registered": "registration_no"}
    required: Mapping[str, str] = field(default_factory=dict)

    @property
    def first(self) -> str:
        return self.stages[0]

    @property
    def last(self) -> str:
        return self.stages[-1]

    def next_after(self, current: str) -> str | None:
        i = self.stages.index(current)
        return self.stages[i + 1] if i + 1 < len(self.stages) else None

    def check(self, label: str, current: str, to: str, fields: Mapping[str, object]) -> None:
        """Raise RuleViolation unless `to` is the stage after `current` and has what it needs.

        `label` names the thing in messages (e.g. "association asn_1"); `fields` holds the
        values given with the command (e.g. {"registration_no": "..."})."""
        if to not in self.stages:
            raise RuleViolation(
                f"'{to}' is not a stage of a {self.noun}; the stages are "
                + " -> ".join(self.stages),
                code="invalid_field",
                field="to",
            )
        wanted = self.next_after(current)
        if wanted is None:
            raise RuleViolation(f"{label} is '{current}', the last stage; no stage follows it")
        if to != wanted:
            if to == current:
                how = "a repeated step"
            elif self.stages.index(to) < self.stages.index(current):
                how = "a step back"
            else:
                how = "a skipped step"
            raise RuleViolation(
                f"{label} is in stage '{current}'; the next stage is '{wanted}', not '{to}' "
                f"({how}: stages are taken in order)"
            )
        needed = self.required.get(to)
        if needed is not None and not str(fields.get(needed) or "").strip():
            raise RuleViolation(
                f"{label} needs {needed} to move to '{to}'",
                code="invalid_field",
                field=needed,
            )


ASSOCIATION = OrderedStages(
    "association",
    ("proposed", "preparing", "charter_adopted", "registered"),
    {"registered": "registration_no"},
)
"""proposed -> preparing (筹备) -> charter_adopted (章程通过) -> registered (登记成立)."""

CULTIVATION = OrderedStages(
    "brand cultivation",
    ("enrolled", "diagnosed", "improving", "certification_applied", "certified", "labelled"),
    {"certified": "certificate_no"},
)
"""enrolled -> diagnosed (诊断) -> improving -> certification_applied -> certified (获证) ->
labelled: the "four 100%" practice (100% product labelling, plant display, advertising) and the
品字码 quality commitment code."""
