"""A refusal's reason in the reader's language. The API words its refusals in English (they are
the contract's `detail`); a Chinese page says first, in Chinese, what kind of refusal it is, and
keeps the API's words after it for the particulars (numbers, stages, ids)."""

from recall.dashboard.i18n import Labels

# status -> (中文, English): what kind of refusal it is
KINDS: dict[int, tuple[str, str]] = {
    400: ("提交的内容无法识别", "The form could not be read"),
    401: ("请先登录", "Sign in first"),
    403: ("您无权办理此事项", "You may not do this"),
    404: ("未找到，或您无权查看", "Not found, or not yours to see"),
    409: ("当前状态下不能办理此事项", "This cannot be done in the current state"),
    413: ("提交的内容或文件过大", "The form or its file is too large"),
    415: ("文件类型不受支持（仅限 PNG、JPEG、WebP 图片或 PDF）", "Unsupported file type"),
    422: ("填写的内容有误", "Something in the form is not right"),
    429: ("提交过于频繁，请稍后再试", "Too many tries: wait a while"),
    503: (
        "系统暂时无法受理，请稍后用同一表单再次提交（只会办理一次）",
        "The system cannot take it now: send the same form again shortly (it acts once)",
    ),
}


def reason_text(t: Labels, detail: str, status: int) -> str:
    """In Chinese: the kind of refusal, then the API's words; in English: the API's words."""
    if t.lang == "en":
        return detail
    kind = KINDS.get(status, KINDS[409])[0]
    return f"{kind}（{detail}）" if detail else kind


def reason(t: Labels, refusal) -> str:
    """For templates: `{{ reason(t, f.refusal) }}`, in the page's language."""
    return reason_text(t, refusal.detail, refusal.status)
