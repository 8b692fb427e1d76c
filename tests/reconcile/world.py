"""Two of every kind reconcile goes through, made with the API on a stack of the test's own
(its own task queue, so reconcile meets no workflow of another test), and the tables they
fill, dumped for before-and-after comparisons."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.associations.models import Association
from recall.cases.models import Case, CaseEnterprise, Hazard
from recall.common.models import Milestone
from recall.config import Settings
from recall.cultivations.models import BrandCultivation
from recall.files.models import StoredFile
from recall.programmes.models import Programme, ProgrammeMember, ProgrammeRegion
from recall.reports.models import DefectReport
from recall.runtime import running_stack
from recall.standards.models import Standard, StandardComment
from tests.api.helpers import ok, seed
from tests.conftest import make_token
from tests.workflows.helpers import idle
from workflows.chain import member_workflow_id, programme_workflow_id

Sessions = async_sessionmaker[AsyncSession]


@asynccontextmanager
async def own_stack(
    dev_env, database_url: str, sessions: Sessions
) -> AsyncIterator[tuple[Settings, httpx.AsyncClient]]:
    """A worker and the app on a task queue of their own, and an admin's client of the API."""
    settings = Settings(
        database_url=database_url, temporal={"task_queue": f"reconcile-{uuid.uuid4().hex[:8]}"}
    )
    async with running_stack(settings, temporal_client=dev_env.client, sessionmaker=sessions) as s:
        token = await make_token(sessions, role="admin", name="reconcile-admin")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=s.app),
            base_url="http://test/api/v1",
            headers={"Authorization": f"Bearer {token}"},
        ) as api:
            yield settings, api


async def build(api: httpx.AsyncClient) -> dict:
    """Cases A (assessed, hazards H1 and H2), B and C (closed: its workflow has ended),
    programmes P1 (over A) and P2 (over B);
    in P1: associations S1 and S2, standards T1 (public comment, comments C1 and C2) and T2,
    brand cultivations K1 and K2."""
    data = await seed(api)
    e1, e2 = (e["id"] for e in data["enterprises"])
    a = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    a = a["id"]
    await ok(api.post(f"/cases/{a}/assessment", json={"severity": 4, "probability": "gt_1_2"}))
    hazards = []
    for text in ("磁体过小", "包装无警示"):
        body = {"enterprise_id": e1, "category": "ingestion", "description": text}
        hazards.append((await ok(api.post(f"/cases/{a}/hazards", json=body), 201))["id"])
    report = {
        "source": "injury_report",
        "product": "磁力珠",
        "description": "误吞",
        "industry_code": "magnetic-toys",
        "region_code": "330702",
        "enterprise_ids": [e2],
    }
    r2 = (await ok(api.post("/defect-reports", json=report), 201))["id"]
    b = (await ok(api.post("/cases", json={"defect_report_ids": [r2]}), 201))["id"]
    r3 = (await ok(api.post("/defect-reports", json=report), 201))["id"]
    body = {"defect_report_ids": [r3], "title": "已结案"}
    c = (await ok(api.post("/cases", json=body), 201))["id"]
    await ok(api.post(f"/cases/{c}/assessment", json={"severity": 1, "probability": "gt_1_2"}))
    await ok(api.post(f"/cases/{c}/decision", json={"decision": "no_recall"}))
    programmes = []
    for case_id, title in ((a, "巴克球"), (b, "磁力珠")):
        body = {"industry_code": "magnetic-toys", "case_ids": [case_id], "title": title}
        programmes.append((await ok(api.post("/programmes", json=body), 201))["id"])
    p1 = programmes[0]
    associations = []
    for name, founder in (("磁力玩具协会", e1), ("玩具安全联盟", e2)):
        body = {"name": name, "programme_id": p1, "founding_enterprise_ids": [founder]}
        associations.append((await ok(api.post("/associations", json=body), 201))["id"])
    standards = []
    for title in ("强磁体", "包装警示"):
        body = {"programme_id": p1, "title": title, "kind": "group"}
        standards.append((await ok(api.post("/standards", json=body), 201))["id"])
    t1 = standards[0]
    for stage in ("hazard_elimination", "association_formation"):
        await ok(api.post(f"/programmes/{p1}/waivers", json={"stage": stage, "reason": "试点"}))
    for to in ("10.99", "20.00", "40.20"):
        await ok(api.post(f"/standards/{t1}/transitions", json={"to": to}))
    comments = []
    for author in ("某企业", "某检测机构"):
        body = {"author": author, "text": "建议"}
        comments.append((await ok(api.post(f"/standards/{t1}/comments", json=body), 201))["id"])
    waiver = {"stage": "standard_drafting", "reason": "试点"}
    await ok(api.post(f"/programmes/{p1}/waivers", json=waiver))
    cultivations = []
    for enterprise in (e1, e2):
        body = {"programme_id": p1, "enterprise_id": enterprise}
        cultivations.append((await ok(api.post("/brand-cultivations", json=body), 201))["id"])
    return {
        "enterprise": [e1, e2],
        "case": [a, b, c],
        "hazard": hazards,
        "programme": programmes,
        "association": associations,
        "standard": standards,
        "comment": comments,
        "cultivation": cultivations,
    }


async def quiet(client, world: dict) -> None:
    """Every workflow idle: what members and programmes tell each other in their own time is
    written before anything is compared."""
    handles = [
        client.get_workflow_handle(
            programme_workflow_id(i) if kind == "programme" else member_workflow_id(kind, i)
        )
        for kind in ("case", "programme", "association", "standard", "cultivation")
        for i in world[kind]
    ]
    for _ in range(2):  # a member reports to its programme, which may answer
        await asyncio.gather(*(idle(h, outbox=True) for h in handles))


TABLES = [
    Case,
    Hazard,
    CaseEnterprise,
    DefectReport,
    StoredFile,
    Programme,
    ProgrammeRegion,
    ProgrammeMember,
    Association,
    Standard,
    StandardComment,
    BrandCultivation,
    Milestone,
]


async def dump(sessions: Sessions, *, leave_out: frozenset[str] = frozenset()) -> dict:
    """Every row of the tables reconcile reads or writes, `leave_out` columns (table.column)
    aside."""
    tables = {}
    async with sessions() as session:
        for model in TABLES:
            columns = [
                c
                for c in model.__table__.columns
                if f"{model.__tablename__}.{c.name}" not in leave_out and c.name != "content"
            ]
            rows = (await session.execute(select(*columns))).all()
            tables[model.__tablename__] = sorted((tuple(r) for r in rows), key=repr)
    return tables
