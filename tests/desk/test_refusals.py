"""A refusal's reason in the page's language: in Chinese, what kind of refusal it is first, the
API's particulars after; in English, the API's words."""

from recall.dashboard.i18n import Labels
from recall.dashboard.refusals import reason_text

DETAIL = "case RC-2026-000001 is in stage 'reported'; a decision needs stage 'assessed'"


def test_a_chinese_page_says_in_chinese_what_went_wrong() -> None:
    zh = reason_text(Labels("zh"), DETAIL, 409)
    assert zh.startswith("当前状态下不能办理此事项（") and DETAIL in zh
    assert reason_text(Labels("zh"), "", 503).startswith("系统暂时无法受理")
    assert reason_text(Labels("zh"), "x", 999).startswith("当前状态下不能办理此事项")


def test_an_english_page_says_what_the_api_said() -> None:
    assert reason_text(Labels("en"), DETAIL, 409) == DETAIL
