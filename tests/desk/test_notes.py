"""Milestone notes read in the reader's language: the system's words translated, a person's
words exactly as typed (even when they look like the system's)."""

import pytest

from recall.dashboard.i18n import Labels
from recall.dashboard.notes import localized_note

ZH, EN = Labels("zh"), Labels("en")


@pytest.mark.parametrize(
    ("kind", "note", "zh", "en"),
    [
        ("reported", "case opened", "立案", "case opened"),
        (
            "assessed",
            "risk serious (severity 4, probability gt_1_100)",
            "风险等级：严重风险（伤害严重程度 4，发生概率 > 1/100）",
            "risk serious (severity 4, probability > 1/100)",
        ),
        ("decided", "no_recall: 风险可控 (risk low)", "不予召回：风险可控 (risk low)",
         "No recall: 风险可控 (risk low)"),
        ("plan_submitted", "refund, 1000 units: refund, 5 units: x",
         "退货退款，涉及 1,000 件：refund, 5 units: x", "refund, 1,000 units: refund, 5 units: x"),
        ("progress_reported", "900 units corrected (90.0%)", "已召回 900 件（90.0%）",
         "900 units corrected (90.0%)"),
        ("hazard_identified", "hz_1 (ingestion)", "hz_1（误吞）", "hz_1 (Ingestion)"),
        ("verified", "case opened", "case opened", "case opened"),  # typed: kept
        ("closed", "", "", ""),
    ],
)  # fmt: skip
def test_system_words_are_translated_and_typed_words_kept(kind, note, zh, en) -> None:
    assert localized_note(kind, note, ZH) == zh
    assert localized_note(kind, note, EN) == en
