"""No input reaches a workflow unbounded: every text, list, number and time of every command is
checked at the edge, and control characters in a path or query are refused, each with a 422
naming the field; bodies over their limit are 413. A refused command leaves nothing behind.

Table-driven, through HTTP on the real stack: each route gives a valid body and what its fields
may hold; the test sends one field broken at a time and expects the field named."""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from starlette.routing import Match

from recall.auth.tokens import MAX_EXPIRY_DAYS
from recall.auth.tokens import MAX_NAME as TOKEN_NAME
from recall.common.text import LABEL, NUMBER
from recall.reference.schemas import MAX_EMPLOYEES
from recall.rules.limits import IDS, MAX_COMMENT_PERIOD_DAYS, MAX_UNITS, NAME, REASON, TEXT
from tests.api.helpers import credit_code, ok, seed
from tests.workflows.helpers import idle
from workflows.chain import (
    association_workflow_id,
    cultivation_workflow_id,
    programme_workflow_id,
    standard_workflow_id,
)
from workflows.shared import case_workflow_id

# A sample of what may not be stored or means nothing in a text: NUL (PostgreSQL cannot keep
# it), other C0 controls, DEL, and a lone surrogate (not UTF-8 at all).
CONTROLS = ("\x00", "\x1b", "\x7f", "\ud800", "\x08")
FAR_FUTURE = "9999-12-31T23:59:59-08:00"  # past year 9999 once in UTC
YEAR_ONE = "0001-01-01T00:00:00+14:00"  # before year 1 once in UTC
BEFORE_1900 = "1899-12-31T23:59:59+00:00"


@dataclass
class Route:
    path: str
    body: dict
    texts: dict[str, tuple[int, bool]] = field(default_factory=dict)  # field: (limit, required)
    lists: dict[str, object] = field(default_factory=dict)  # field: a valid item
    numbers: dict[str, list] = field(default_factory=dict)  # field: values refused with 422
    past_times: list[str] = field(default_factory=list)  # times that must not be future


async def _world(api: httpx.AsyncClient) -> dict:
    """One of everything a command can name: a case with a hazard, a programme, an association,
    a standard in public comment with a comment, and a brand cultivation."""
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    cid = case["id"]
    await ok(api.post(f"/cases/{cid}/assessment", json={"severity": 4, "probability": "gt_1_2"}))
    hazard = await ok(
        api.post(
            f"/cases/{cid}/hazards",
            json={"enterprise_id": ent, "category": "ingestion", "description": "磁体过小"},
        ),
        201,
    )
    programme = await ok(
        api.post(
            "/programmes",
            json={"industry_code": "magnetic-toys", "case_ids": [cid], "title": "巴克球"},
        ),
        201,
    )
    pid = programme["id"]
    association = await ok(
        api.post(
            "/associations",
            json={"name": "磁力玩具协会", "programme_id": pid, "founding_enterprise_ids": [ent]},
        ),
        201,
    )
    standard = await ok(
        api.post("/standards", json={"programme_id": pid, "title": "强磁体", "kind": "group"}),
        201,
    )
    sid = standard["id"]
    for stage in ("hazard_elimination", "association_formation"):
        await ok(api.post(f"/programmes/{pid}/waivers", json={"stage": stage, "reason": "试点"}))
    for to in ("10.99", "20.00", "40.20"):
        await ok(api.post(f"/standards/{sid}/transitions", json={"to": to}))
    comment = await ok(
        api.post(f"/standards/{sid}/comments", json={"author": "某企业", "text": "建议"}), 201
    )
    await ok(
        api.post(
            f"/programmes/{pid}/waivers", json={"stage": "standard_drafting", "reason": "试点"}
        )
    )
    cultivation = await ok(
        api.post("/brand-cultivations", json={"programme_id": pid, "enterprise_id": ent}), 201
    )
    token = await ok(api.post("/tokens", json={"role": "admin", "name": "second admin"}), 201)
    return {
        "ent": ent,
        "report": data["report"]["id"],
        "case": cid,
        "hazard": hazard["id"],
        "programme": pid,
        "association": association["id"],
        "standard": sid,
        "comment": comment["id"],
        "cultivation": cultivation["id"],
        "token": token["id"],
    }


def _routes(w: dict) -> list[Route]:
    case, std = f"/cases/{w['case']}", f"/standards/{w['standard']}"
    huge = [10**20, 2**64, -(2**63) - 1]
    return [
        Route("/regions", {"code": "330000", "name": "浙江省"}, {"name": (NAME, True)}),
        Route(
            "/industries",
            {"code": "e-bikes", "name": "电动自行车", "name_en": "E-bikes", "keywords": ["ebike"]},
            {"name": (NAME, True), "name_en": (NAME, False), "keywords.0": (NAME, False)},
            {"keywords": "word"},
        ),
        Route(
            "/enterprises",
            {
                "name": "金华市新磁业有限公司",
                "credit_code": credit_code("330702", 77),
                "region_code": "330702",
                "industry_code": "magnetic-toys",
                "employees": 10,
            },
            {
                "name": (NAME, True),
                "credit_code": (NAME, True),
                "region_code": (NAME, True),
                "industry_code": (NAME, True),
            },
            numbers={"employees": [-1, MAX_EMPLOYEES + 1, *huge]},
        ),
        Route(
            "/defect-reports",
            {
                "source": "injury_report",
                "product": "巴克球",
                "description": "误吞",
                "industry_code": "magnetic-toys",
                "region_code": "330702",
                "enterprise_ids": [w["ent"]],
                "hazard_category": "ingestion",
                "received_at": "2026-01-05T09:00:00+08:00",
            },
            {
                "product": (NAME, True),
                "description": (TEXT, True),
                "industry_code": (NAME, True),
                "region_code": (NAME, True),
                "enterprise_ids.0": (NAME, True),
                "hazard_category": (LABEL, False),
            },
            {"enterprise_ids": w["ent"]},
            past_times=["received_at"],
        ),
        Route(
            "/cases",
            {"defect_report_ids": [w["report"]], "title": "t", "region_code": "330702"},
            {
                "defect_report_ids.0": (NAME, True),
                "title": (NAME, False),
                "region_code": (NAME, True),
            },
            {"defect_report_ids": w["report"]},
        ),
        Route(
            f"{case}/assessment",
            {"severity": 2, "probability": "gt_1_2", "override_reason": "r"},
            {"override_reason": (TEXT, False)},
            numbers={"severity": [0, 5, *huge]},
        ),
        Route(
            f"{case}/decision",
            {"decision": "voluntary_recall", "reason": "r"},
            {"reason": (TEXT, False)},
        ),
        Route(
            f"{case}/plan",
            {"units_affected": 10, "remedy": "refund", "summary": "s"},
            {"summary": (TEXT, True)},
            numbers={
                "units_affected": [0, MAX_UNITS + 1, *huge],
                "correction_rate_target": [0, 1.5, 1e308, "Infinity", "NaN"],
            },
        ),
        Route(f"{case}/plan/acceptance", {"note": "n"}, {"note": (TEXT, False)}),
        Route(
            f"{case}/plan/return", {"reason": "r"}, {"reason": (TEXT, True)}
        ),  # once the route exists
        Route(
            f"{case}/hazards",
            {"enterprise_id": w["ent"], "category": "ingestion", "description": "d"},
            {
                "enterprise_id": (NAME, True),
                "category": (LABEL, False),
                "description": (TEXT, True),
            },
            past_times=["identified_at"],
        ),
        Route(
            f"{case}/hazards/{w['hazard']}/elimination",
            {"evidence": "e", "evidence_refs": ["doc-1"]},
            {"evidence": (TEXT, True), "evidence_refs.0": (NAME, True)},
            {"evidence_refs": "doc"},
            past_times=["eliminated_at"],
        ),
        Route(f"{case}/hazards/{w['hazard']}/reopening", {"reason": "r"}, {"reason": (TEXT, True)}),
        Route(
            f"{case}/progress-reports",
            {"units_corrected": 1, "note": "n"},
            {"note": (TEXT, False)},
            numbers={"units_corrected": [-1, MAX_UNITS + 1, *huge]},
        ),
        Route(f"{case}/verification", {"note": "n"}, {"note": (TEXT, True)}),
        Route(f"{case}/closure", {"summary": "s"}, {"summary": (TEXT, True)}),
        Route(
            "/programmes",
            {"industry_code": "magnetic-toys", "case_ids": [w["case"]], "title": "t"},
            {"industry_code": (NAME, True), "case_ids.0": (NAME, True), "title": (NAME, True)},
            {"case_ids": w["case"]},
        ),
        Route(
            f"/programmes/{w['programme']}/waivers",
            {"stage": "brand_cultivation", "reason": "r"},
            {"reason": (TEXT, True)},
        ),
        Route(
            "/associations",
            {"name": "n", "programme_id": w["programme"], "founding_enterprise_ids": [w["ent"]]},
            {
                "name": (NAME, True),
                "programme_id": (NAME, True),
                "founding_enterprise_ids.0": (NAME, True),
            },
            {"founding_enterprise_ids": w["ent"]},
        ),
        Route(
            f"/associations/{w['association']}/transitions",
            {"to": "preparing", "registration_no": "51330700", "note": "n"},
            {"registration_no": (NUMBER, False), "note": (TEXT, False)},
        ),
        Route(
            f"/programmes/{w['programme']}/associations",
            {"association_id": w["association"]},
            {"association_id": (NAME, True)},
        ),
        Route(
            "/standards",
            {
                "programme_id": w["programme"],
                "title": "t",
                "kind": "industry",
                "drafting_association_id": w["association"],
                "drafters": ["张工"],
            },
            {
                "programme_id": (NAME, True),
                "title": (NAME, True),
                "drafting_association_id": (NAME, True),
                "drafters.0": (NAME, False),
            },
            {"drafters": "d"},
        ),
        Route(
            f"{std}/transitions",
            {"to": "40.60", "note": "n"},
            {"note": (TEXT, False)},
            numbers={"comment_period_days": [-1, MAX_COMMENT_PERIOD_DAYS + 1, "Infinity", "NaN"]},
        ),
        Route(
            f"{std}/comments",
            {"author": "a", "text": "t", "clause": "5.3"},
            {"author": (NAME, True), "text": (TEXT, True), "clause": (NUMBER, False)},
        ),
        Route(
            f"{std}/comments/{w['comment']}/disposition",
            {"disposition": "rejected", "reason": "r"},
            {"reason": (REASON, False)},
        ),
        Route(
            f"{std}/ballot",
            {"votes": [{"voter": "v", "vote": "approve"}]},
            {"votes.0.voter": (NAME, True)},
            {"votes": {"voter": "v", "vote": "approve"}},
        ),
        Route(
            "/brand-cultivations",
            {"programme_id": w["programme"], "enterprise_id": w["ent"], "tier": "重点"},
            {"programme_id": (NAME, True), "enterprise_id": (NAME, True), "tier": (LABEL, False)},
        ),
        Route(
            f"/brand-cultivations/{w['cultivation']}/transitions",
            {"to": "diagnosed", "certificate_no": "C-1", "note": "n"},
            {"certificate_no": (NUMBER, False), "note": (TEXT, False)},
        ),
        Route(
            "/tokens",
            {"role": "regulator", "name": "王", "regions": ["330702"], "expires_in_days": 30},
            {"name": (TOKEN_NAME, True), "regions.0": (NAME, True)},
            {"regions": "330702"},
            numbers={"expires_in_days": [0, 0.5, MAX_EXPIRY_DAYS + 1, 1e300, "Infinity", "NaN"]},
        ),
    ]


def _set(body: dict, dotted: str, value: object) -> dict:
    """A deep copy of body with the field at dotted (votes.0.voter) set to value."""
    body = json.loads(json.dumps(body))
    *parents, last = dotted.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


def _broken(route: Route) -> list[tuple[str, str, bytes]]:
    """(what, field, raw JSON body) for each way one field of the route can be out of bounds."""
    cases = []
    for i, (name, (limit, required)) in enumerate(route.texts.items()):
        cases.append((f"{limit + 1} characters", name, _set(route.body, name, "字" * (limit + 1))))
        cases.append(("a NUL", name, _set(route.body, name, "a\x00b")))
        char = CONTROLS[1 + i % (len(CONTROLS) - 1)]
        cases.append((f"U+{ord(char):04X}", name, _set(route.body, name, f"a{char}")))
        if required:
            cases.append(("a blank", name, _set(route.body, name, " \t\n ")))
    for name, item in route.lists.items():
        cases.append((f"{IDS + 1} items", name, _set(route.body, name, [item] * (IDS + 1))))
    for name, values in route.numbers.items():
        for value in values:
            cases.append((f"the number {value}", name, _set(route.body, name, value)))
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    for name in route.past_times:
        for value in (FAR_FUTURE, YEAR_ONE, BEFORE_1900, soon):
            cases.append((f"the time {value}", name, _set(route.body, name, value)))
    out = []
    for what, name, body in cases:
        raw = json.dumps(body)  # ASCII escapes: a lone surrogate travels as \ud800
        for literal in ("Infinity", "NaN"):  # what Python's JSON reader takes as floats
            raw = raw.replace(f'"{literal}"', literal)
        out.append((what, name, raw.encode()))
    return out


JSON = {"content-type": "application/json"}
CPSC = Path(__file__).resolve().parent.parent / "data" / "cpsc-recalls-2025-10_2026-04.json"


async def _snapshot(api: httpx.AsyncClient, w: dict) -> dict:
    reads = [
        f"/cases/{w['case']}",
        f"/programmes/{w['programme']}",
        f"/associations/{w['association']}",
        f"/standards/{w['standard']}",
        f"/brand-cultivations/{w['cultivation']}",
        "/regions",
        "/industries",
        "/enterprises",
        "/defect-reports",
        "/cases",
        "/programmes",
        "/associations",
        "/standards",
        "/brand-cultivations",
        "/tokens",
    ]
    return {path: await ok(api.get(path, params={"limit": 500})) for path in reads}


def _exists(app, path: str) -> bool:
    scope = {"type": "http", "path": f"/api/v1{path}", "method": "POST", "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in app.routes)


async def _quiet(client, w: dict) -> None:
    """Every workflow of the world idle: what they write in their own time (reports to the
    programme, its links) is in the read model before the snapshot is taken."""
    ids = [
        case_workflow_id(w["case"]),
        programme_workflow_id(w["programme"]),
        association_workflow_id(w["association"]),
        standard_workflow_id(w["standard"]),
        cultivation_workflow_id(w["cultivation"]),
    ]
    for _ in range(2):  # a member reports to the programme, which may answer: twice over
        for workflow_id in ids:
            await idle(client.get_workflow_handle(workflow_id))


async def test_every_command_refuses_what_is_out_of_bounds_and_names_the_field(api, stack) -> None:
    w = await _world(api)
    await _quiet(stack["client"], w)
    before = await _snapshot(api, w)
    wrong, tried = [], 0
    for route in _routes(w):
        assert _exists(stack["app"], route.path), route.path
        for what, name, raw in _broken(route):
            tried += 1
            r = await api.post(route.path, content=raw, headers=JSON)
            body = r.json() if r.headers.get("content-type") == "application/json" else {}
            if (r.status_code, body.get("error"), body.get("field")) != (
                422,
                "invalid_field",
                name,
            ):
                wrong.append(f"POST {route.path} with {what} in {name}: {r.status_code} {r.text}")
    assert not wrong, f"{len(wrong)} of {tried} refusals were not 422 naming the field:\n" + (
        "\n".join(wrong)
    )
    assert tried > 250  # the table was read, not skipped
    assert await _snapshot(api, w) == before


async def test_a_number_too_long_to_read_is_malformed_not_a_crash(api) -> None:
    data = await seed(api)
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    raw = b'{"severity": 1' + b"0" * 5000 + b', "probability": "gt_1_2"}'
    r = await api.post(f"/cases/{case['id']}/assessment", content=raw, headers=JSON)
    assert r.status_code == 400 and r.json()["error"] == "malformed", r.text
    assert (await ok(api.get(f"/cases/{case['id']}")))["stage"] == "reported"


LISTS = {
    "/cases": ["stage", "industry", "region", "q", "cursor"],
    "/defect-reports": ["source", "industry", "region", "q"],
    "/enterprises": ["industry", "region"],
    "/regions": ["cursor"],
    "/industries": ["cursor"],
    "/programmes": ["industry", "stage"],
    "/associations": ["programme_id", "status"],
    "/standards": ["programme_id", "association_id", "kind", "stage"],
    "/brand-cultivations": ["programme_id", "enterprise_id", "stage"],
    "/tokens": ["cursor"],
    "/audit": ["object", "actor"],
    "/dashboard/summary": ["region", "industry", "from", "to"],
    "/dashboard/hazards": ["region", "industry", "from", "to", "group_by"],
}


async def test_query_and_path_parameters_refuse_control_characters_and_excess(api) -> None:
    wrong = []

    async def expect(url: str, params: dict, name: str, status: int = 422) -> None:
        r = await api.get(url, params=params)
        body = r.json() if r.headers.get("content-type") == "application/json" else {}
        if (r.status_code, body.get("field")) != (status, name):
            wrong.append(f"GET {url} {params!r}: {r.status_code} {r.text[:200]}")

    for url, names in LISTS.items():
        for name in names:
            for char in CONTROLS[:3]:
                await expect(url, {name: f"x{char}"}, name)
            if name not in ("cursor", "from", "to"):
                await expect(url, {name: "x" * (NAME + 1)}, name)
        await expect(url, {"x\x00": "1"}, "query")
    await expect("/cases", {"limit": 10**30}, "limit")
    for url, values in [  # cursors this API never handed out
        ("/tokens", ["2026-01-01T00:00:00+00:00", 10**30]),
        ("/tokens", ["2026-01-01T00:00:00+00:00", "tok\u0000"]),
        ("/audit", [2**40]),
        ("/audit", ["1"]),
        ("/regions", [{"code": "x"}]),
        ("/cases", ["2026-01-01T00:00:00", "case_1"]),
        ("/cases", ["0001-01-01T00:00:00+14:00", "case_1"]),
        ("/defect-reports", ["2026-01-01T00:00:00+00:00", ["dr_1"]]),
    ]:
        raw = json.dumps(values).encode()
        await expect(url, {"cursor": base64.urlsafe_b64encode(raw).decode()}, "cursor")
    for name, value in [("from", "0001-01-01"), ("to", "9999-12-31"), ("from", "1899-12-31")]:
        await expect("/dashboard/summary", {name: value}, name)
        await expect("/dashboard/hazards", {"group_by": "month", name: value}, name)
    await expect("/dashboard/summary", {"to": "9999-12-31T23:59:59-08:00"}, "to")
    await expect("/dashboard/summary", {"from": "0001-01-01T00:00:00+14:00"}, "from")
    await expect("/cases/case_1%00", {}, "case_id")
    await expect("/standards/std%1B", {}, "standard_id")
    await expect("/programmes/%7F", {}, "programme_id")
    assert not wrong, "\n".join(wrong)

    # the public dashboard, without a token
    public = httpx.AsyncClient(transport=api._transport, base_url=api.base_url)
    async with public:
        r = await public.get("/dashboard/summary", params={"region": "\x00"})
        assert r.status_code == 422 and r.json()["field"] == "region", r.text
        r = await public.get(
            "/dashboard/summary", params={"from": "2024-01-01", "to": "2200-12-31"}
        )
        assert r.status_code == 200, r.text

    r = await api.post("/cases/case_1%00/assessment", json={"severity": 1, "probability": "gt_1_2"})
    assert (r.status_code, r.json()["field"]) == (422, "case_id"), r.text
    r = await api.post("/tokens/tok%00/revocation")
    assert (r.status_code, r.json()["field"]) == (422, "token_id"), r.text


async def test_bodies_over_their_limit_are_413(api, stack) -> None:
    limit = stack["settings"].max_body_kb * 1024
    before = await ok(api.get("/defect-reports"))
    body = {"source": "media", "product": "p", "description": "x" * limit}
    r = await api.post("/defect-reports", json=body)
    assert r.status_code == 413 and r.json() == {**r.json(), "error": "too_large", "field": None}
    assert r.json()["detail"] == "the request body is larger than 1 MB"

    async def chunks(total: int):
        for _ in range(total // 65536 + 1):
            yield b" " * 65536

    for headers in ({}, {"Idempotency-Key": "big-1"}):
        r = await api.post("/defect-reports", content=chunks(limit), headers={**JSON, **headers})
        assert "content-length" not in r.request.headers
        assert (r.status_code, r.json()["error"]) == (413, "too_large"), r.text
    assert await ok(api.get("/defect-reports")) == before

    # uploads have their own, larger limit
    upload = stack["settings"].max_upload_mb * 1024 * 1024
    files = {"file": ("big.json", b"[" + b" " * (limit * 2) + b"]", "application/json")}
    r = await api.post("/imports/cpsc", files=files)
    assert r.status_code != 413, r.text
    files = {"file": ("huge.json", b" " * (upload + 1), "application/json")}
    r = await api.post("/imports/cpsc", files=files)
    assert (r.status_code, r.json()["error"]) == (413, "too_large"), r.text
    assert r.json()["detail"] == "the request body is larger than 20 MB"


async def test_an_imported_notice_with_a_control_character_is_rejected_alone(api) -> None:
    records = json.loads(CPSC.read_bytes())[:2]
    records[0]["Title"] = "Heated Socks\x00"
    files = {"file": ("cpsc.json", json.dumps(records).encode(), "application/json")}
    result = await ok(api.post("/imports/cpsc", files=files))
    assert (result["imported"], result["rejected"]) == (1, 1), result
    assert "Title holds a control character (U+0000)" in result["rejections"][0]["reason"]
