"""The notices as an Atom 1.0 feed (RFC 4287), built with the standard library's ElementTree.

Ids are tag: URIs (RFC 4151), as Django's syndication framework makes them: the site's host
name, the day the notice was published (China time), and the notice's path. They stay the same
while the notice changes, and differ from every other site's."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import quote

from markupsafe import Markup

from recall.common.types import utcnow
from recall.dashboard.filters import CST
from recall.dashboard.i18n import Labels

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_SINCE = "2026"  # the tag date of the feed's own id: when the notices began
DNS_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(CST).isoformat()  # to the microsecond: two changes in a second


def notice_path(number: str) -> str:
    return f"/recalls/{quote(number, safe='')}"


def _authority(host: str | None) -> str:
    """A tag's authority is a DNS name; a bare address or nothing reads as localhost."""
    return host if host and DNS_NAME.fullmatch(host) else "localhost"


def entry_id(host: str | None, notice: dict) -> str:
    day = notice["published_at"].astimezone(CST).date().isoformat()
    return f"tag:{_authority(host)},{day}:{notice_path(notice['number'])}"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _content(notice: dict, t: Labels) -> str:
    """The notice as a little HTML (escaped: the feed carries it as text)."""
    lang = t.lang
    rate = notice["correction_rate"]
    rows = [
        (t("notice.product"), notice["product"]),
        (t("notice.enterprises"), "、".join(notice["enterprises"])),
        (t("notice.hazard"), notice["hazard"][lang]),
        (t("notice.remedy"), notice["remedy_text"][lang]),
        (t("notice.what_to_do"), notice["what_to_do"][lang]),
        (t("notice.units"), t("notice.units_value", n=notice["units_affected"])),
        (
            t("notice.correction_rate"),
            t("notice.not_reported") if rate is None else f"{rate:.0%}",
        ),
    ]
    return str(
        Markup("<dl>{}</dl>").format(
            Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(k, v) for k, v in rows)
        )
    )


def feed(
    notices: list[dict],
    t: Labels,
    *,
    base_url: str,
    query: str,
    self_url: str,
    host: str | None,
) -> bytes:
    """The feed of these notices (newest first). base_url: the site's root, with its slash;
    query: the feed's filters and language as a query string ("" or "?..."), in a fixed order,
    which tell this feed from the site's other ones."""
    lang_query = "" if t.lang == "zh" else f"?lang={t.lang}"
    # Names without a namespace under a default one: ElementTree would give Atom's a prefix.
    root = ET.Element("feed", {"xmlns": ATOM, XML_LANG: "zh-CN" if t.lang == "zh" else "en"})
    _add(root, "id", f"tag:{_authority(host)},{FEED_SINCE}:/recalls.atom{query}")
    _add(root, "title", f"{t('notice.feed_title')} · {t('site.title')}")
    latest = max((n["updated_at"] for n in notices), default=utcnow())
    _add(root, "updated", rfc3339(latest))
    _add(_add(root, "author"), "name", t("notice.feed_author"))
    _add(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(root, "link", rel="alternate", type="text/html", href=f"{base_url}recalls{query}")
    for notice in notices:
        entry = _add(root, "entry")
        _add(entry, "id", entry_id(host, notice))
        _add(entry, "title", f"{notice['number']} {notice['product']}")
        _add(entry, "updated", rfc3339(notice["updated_at"]))
        _add(entry, "published", rfc3339(notice["published_at"]))
        href = f"{base_url}{notice_path(notice['number']).lstrip('/')}{lang_query}"
        _add(entry, "link", rel="alternate", type="text/html", href=href)
        _add(entry, "summary", notice["what_to_do"][t.lang], type="text")
        _add(entry, "content", _content(notice, t), type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
