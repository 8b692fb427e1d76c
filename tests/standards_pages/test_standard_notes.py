"""A standard's milestone notes in the reader's language; what people typed stays as typed."""

import pytest

from recall.dashboard.i18n import Labels
from recall.desk.standard_notes import standard_note

ZH, EN = Labels("zh"), Labels("en")


@pytest.mark.parametrize(
    ("kind", "note", "zh"),
    [
        ("proposed", "group standard: 磁力玩具 强磁体安全要求",
         "团体标准：磁力玩具 强磁体安全要求"),
        ("comment_received", "cmt_1 from 张三 on clause 5.2", "张三 提出的意见（第 5.2 条）"),
        ("comment_received", "cmt_2 from Li Si", "Li Si 提出的意见"),
        ("comment_disposed", "cmt_1 partially_accepted: 限值改为 50", "部分采纳：限值改为 50"),
        ("comment_disposed", "cmt_2 accepted", "采纳"),
        ("ballot_recorded", "3 approve, 1 disapprove, 0 abstain: passed",
         "赞成 3，反对 1，弃权 0：通过"),
        ("ballot_recorded", "1 approve, 1 disapprove, 1 abstain: not passed",
         "赞成 1，反对 1，弃权 1：未通过"),
        ("comments_closed", "public comment ended at 2026-12-01T00:22:37+00:00; 2 comments",
         "征求意见于 2026-12-01 08:22 截止，共收到 2 条意见"),
        ("public_comment_opened",
         "public comment for 30 days, until 2026-12-31T00:00:00+00:00: 请提意见",
         "公开征求意见 30 天，至 2026-12-31 08:00：请提意见"),
        ("approved", "a note typed by a person", "a note typed by a person"),
    ],
)  # fmt: skip
def test_notes_read_in_chinese_and_typed_words_stay(kind, note, zh) -> None:
    assert standard_note(kind, note, ZH) == zh
    assert standard_note(kind, note, EN)  # and something readable in English


def test_english_keeps_the_english_words() -> None:
    note = "3 approve, 1 disapprove, 0 abstain: passed"
    assert (
        standard_note("ballot_recorded", note, EN) == "3 approve, 1 disapprove, 0 abstain: passed"
    )
