"""The chain pages' labels: every stage and act they show has words in both languages, and they
change no label of another page (the catalogue takes each family's labels in turn)."""

import pytest

from recall.accounts.labels import LABELS as ACCOUNT_LABELS
from recall.dashboard.i18n import Labels
from recall.desk.chain_labels import LABELS
from recall.desk.labels import LABELS as DESK_LABELS
from recall.desk.programme_page import ACTS
from recall.desk.standard_labels import LABELS as STANDARD_LABELS
from recall.notices.labels import LABELS as NOTICE_LABELS
from recall.rules.ordered_stages import ASSOCIATION, CULTIVATION
from recall.rules.programme_rules import STAGES


def test_the_chain_labels_change_no_other_label() -> None:
    for other in (ACCOUNT_LABELS, DESK_LABELS, STANDARD_LABELS, NOTICE_LABELS):
        assert not set(LABELS) & set(other)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_stage_and_act_has_words(lang: str) -> None:
    t = Labels(lang)
    wanted = [
        *(f"association_stage.{s}" for s in ASSOCIATION.stages),
        *(f"cultivation_stage.{s}" for s in CULTIVATION.stages),
        *(f"programme_stage.{s}" for s in STAGES),
        *(f"act.{a}" for a in (*ACTS, "start_programme", "transition")),
        *(f"field.{f}" for f in ("registration_no", "certificate_no", "case_ids", "stage",
                                 "founding_enterprise_ids", "association_id", "tier")),
    ]  # fmt: skip
    for key in wanted:
        assert t(key) != key, key
    if lang == "zh":
        assert t("association_stage.registered") == "登记成立"
        assert t("cultivation_stage.certified") == "获证"
