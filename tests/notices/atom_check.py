"""What RFC 4287 (Atom 1.0) asks of a feed, checked with the standard library's XML parser
(feedparser is not in the environment): the namespace, the elements a feed and each entry must
have (once), dates as RFC 3339, ids as tag: URIs (RFC 4151), text constructs of a known type."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", flags=re.IGNORECASE
)
TAG_URI = re.compile(r"tag:[A-Za-z0-9.-]+(@[A-Za-z0-9.-]+)?,\d{4}(-\d{2}(-\d{2})?)?:\S+")
TEXT_TYPES = {None, "text", "html", "xhtml"}


def _one(parent: ET.Element, name: str, where: str, problems: list[str]) -> ET.Element | None:
    found = parent.findall(ATOM + name)
    if len(found) != 1:
        problems.append(f"{where}: {len(found)} atom:{name}, not one")
        return None
    return found[0]


def _date(element: ET.Element | None, where: str, problems: list[str]) -> datetime | None:
    if element is None:
        return None
    text = (element.text or "").strip()
    if not RFC3339.fullmatch(text):
        problems.append(f"{where}: {element.tag} {text!r} is not RFC 3339")
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _text(element: ET.Element | None, where: str, problems: list[str]) -> None:
    if element is not None and element.get("type") not in TEXT_TYPES:
        problems.append(f"{where}: {element.tag} has type {element.get('type')!r}")


def _links(parent: ET.Element) -> dict[str, list[ET.Element]]:
    links: dict[str, list[ET.Element]] = {}
    for link in parent.findall(ATOM + "link"):
        links.setdefault(link.get("rel", "alternate"), []).append(link)
    return links


def check_feed(xml: bytes) -> tuple[ET.Element, list[str]]:
    """The parsed feed and what is wrong with it (empty when it is a valid Atom feed)."""
    root = ET.fromstring(xml)  # malformed XML raises here
    problems: list[str] = []
    if root.tag != ATOM + "feed":
        return root, [f"the root is {root.tag}, not atom:feed"]
    feed_id = _one(root, "id", "feed", problems)
    if feed_id is not None and not TAG_URI.fullmatch(feed_id.text or ""):
        problems.append(f"feed: id {feed_id.text!r} is not a tag: URI")
    _text(_one(root, "title", "feed", problems), "feed", problems)
    _date(_one(root, "updated", "feed", problems), "feed", problems)
    links = _links(root)
    if len(links.get("self", [])) != 1:
        problems.append("feed: no one link rel=self")
    if len(links.get("alternate", [])) > 1:
        problems.append("feed: more than one alternate link of one type")
    feed_author = root.find(ATOM + "author")
    if feed_author is not None and not (feed_author.findtext(ATOM + "name") or "").strip():
        problems.append("feed: an author without a name")
    ids = set()
    for i, entry in enumerate(root.findall(ATOM + "entry")):
        where = f"entry {i}"
        entry_id = _one(entry, "id", where, problems)
        if entry_id is not None:
            if not TAG_URI.fullmatch(entry_id.text or ""):
                problems.append(f"{where}: id {entry_id.text!r} is not a tag: URI")
            if entry_id.text in ids:
                problems.append(f"{where}: id {entry_id.text!r} is taken by another entry")
            ids.add(entry_id.text)
        _text(_one(entry, "title", where, problems), where, problems)
        updated = _date(_one(entry, "updated", where, problems), where, problems)
        published = entry.findall(ATOM + "published")
        if len(published) > 1:
            problems.append(f"{where}: more than one atom:published")
        when = _date(published[0], where, problems) if published else None
        if when and updated and when > updated:
            problems.append(f"{where}: published after updated")
        alternate = _links(entry).get("alternate", [])
        content = entry.findall(ATOM + "content")
        if not alternate and not content:
            problems.append(f"{where}: neither an alternate link nor content")
        for element in [*entry.findall(ATOM + "summary"), *content]:
            _text(element, where, problems)
        if feed_author is None and entry.find(ATOM + "author") is None:
            problems.append(f"{where}: no author, and the feed has none")
    return root, problems


def entries(root: ET.Element) -> list[dict]:
    return [
        {
            "id": e.findtext(ATOM + "id"),
            "title": e.findtext(ATOM + "title"),
            "updated": e.findtext(ATOM + "updated"),
            "published": e.findtext(ATOM + "published"),
            "href": next(
                link.get("href")
                for link in e.findall(ATOM + "link")
                if link.get("rel", "alternate") == "alternate"
            ),
            "summary": e.findtext(ATOM + "summary"),
            "content": e.findtext(ATOM + "content"),
        }
        for e in root.findall(ATOM + "entry")
    ]
