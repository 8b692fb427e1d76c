"""The service the case acts and pages call: which files an act may cite, attaching them to a case
once, and describing them; on PostgreSQL, and storing and reading on a migrated SQLite file."""

import pytest

from recall import migrate
from recall.auth.principal import Principal
from recall.db import create_engine, create_sessionmaker
from recall.errors import InvalidField, NotFound, UnsupportedMediaType
from recall.files.models import StoredFile
from recall.files.service import (
    attach,
    check_citable,
    clean_name,
    describe_files,
    readable_file,
    store_file,
)
from tests.api.helpers import ok, seed
from tests.files.samples import jpeg, pdf, png, webp

FIRST = Principal(name="金华一厂", role="enterprise", enterprise_id="ent_1")
SECOND = Principal(name="金华二厂", role="enterprise", enterprise_id="ent_2")
ADMIN = Principal(name="admin")


def test_clean_name() -> None:
    assert clean_name("a/b\\c\x00\x1b\x7f\u0085d.png", "image/png") == "cd.png"
    assert clean_name("  report .pdf  ", "application/pdf") == "report .pdf"
    assert clean_name("\ud800", "image/webp") == "evidence.webp"
    long = clean_name("x" * 250 + "." + "y" * 20, "application/pdf")
    assert len(long) == 200 and long == "x" * 200  # an "extension" that long is not one


async def _cases(api) -> tuple[str, str]:
    """Two cases, one per defect report of the seeded region."""
    data = await seed(api)
    first = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    report = await ok(
        api.post(
            "/defect-reports",
            json={
                "source": "media",
                "product": "磁力片",
                "description": "磁体脱落",
                "industry_code": "magnetic-toys",
                "region_code": "330702",
            },
        ),
        201,
    )
    second = await ok(api.post("/cases", json={"defect_report_ids": [report["id"]]}), 201)
    return first["id"], second["id"]


async def _refused(session, ids: list[str], principal: Principal, case_id: str) -> str:
    with pytest.raises(InvalidField) as refused:
        await check_citable(session, ids, principal, case_id)
    assert refused.value.field == "evidence_file_ids"
    return refused.value.detail


async def test_what_an_act_may_cite(api, db) -> None:
    case_id, other_case_id = await _cases(api)
    async with db() as session:
        mine = (await store_file(session, name="a.png", data=png(), principal=FIRST)).id
        theirs = (await store_file(session, name="b.pdf", data=pdf(), principal=SECOND)).id
        held = (await store_file(session, name="c.jpg", data=jpeg(), principal=SECOND)).id
        elsewhere = (await store_file(session, name="d.webp", data=webp(), principal=FIRST)).id
        await attach(session, case_id, [held])
        await attach(session, other_case_id, [elsewhere])
        await session.commit()

        # its own unattached upload, and any file the case already holds (an act sent again)
        await check_citable(session, [mine, held], FIRST, case_id)
        await check_citable(session, [], FIRST, case_id)

        assert "unknown evidence file file_nope" in await _refused(
            session, [mine, "file_nope"], FIRST, case_id
        )
        assert f"unknown evidence file {theirs}" in await _refused(
            session, [theirs], FIRST, case_id
        )
        # its own upload, once another case holds it, is that case's
        assert f"unknown evidence file {elsewhere}" in await _refused(
            session, [elsewhere], FIRST, case_id
        )
        # not even an admin cites another's upload in its name
        assert theirs in await _refused(session, [theirs], ADMIN, case_id)
        assert f"evidence file {mine} is named twice" in await _refused(
            session, [held, mine, mine], FIRST, case_id
        )
        # what is unknown is said first: it is the likelier mistake
        assert "unknown evidence file file_x" in await _refused(
            session, ["file_x", "file_x"], FIRST, case_id
        )
        assert "at most 10" in await _refused(session, [mine] * 11, FIRST, case_id)


async def test_attach_is_idempotent_and_never_moves_a_file(api, db) -> None:
    case_id, other_case_id = await _cases(api)
    async with db() as session:
        stored = await store_file(session, name="a.png", data=png(), principal=FIRST)
        await attach(session, case_id, [stored.id, stored.id])
        await attach(session, case_id, [stored.id])
        await attach(session, other_case_id, [stored.id])
        await attach(session, case_id, [])
        # not committed: another session sees nothing yet
        async with db() as other:
            assert (await other.get(StoredFile, stored.id)).case_id is None
        await session.commit()
    async with db() as session:
        assert (await session.get(StoredFile, stored.id)).case_id == case_id


async def test_describe_files_gives_what_they_are_without_bytes(db) -> None:
    async with db() as session:
        stored = await store_file(session, name="检测报告.pdf", data=pdf(), principal=FIRST)
        described = await describe_files(session, [stored.id, "file_gone", stored.id])
    assert list(described) == [stored.id]
    assert described[stored.id].model_dump() == {
        "id": stored.id,
        "name": "检测报告.pdf",
        "content_type": "application/pdf",
        "size": len(pdf()),
        "sha256": stored.sha256,
    }
    async with db() as session:
        assert await describe_files(session, []) == {}


async def test_store_and_read_on_sqlite(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'recall.db'}")
    try:
        await migrate.upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        data = png()
        async with sessionmaker() as session:
            stored = await store_file(session, name="照片.png", data=data, principal=FIRST)
            with pytest.raises(UnsupportedMediaType):
                await store_file(session, name="x.png", data=b"<html>", principal=FIRST)
        async with sessionmaker() as session:
            read = await readable_file(session, stored.id, FIRST)
            assert (read.content, read.name, read.content_type) == (data, "照片.png", "image/png")
            assert (await readable_file(session, stored.id, ADMIN)).content == data
            with pytest.raises(NotFound):
                await readable_file(session, stored.id, SECOND)
            assert list(await describe_files(session, [stored.id])) == [stored.id]
    finally:
        await engine.dispose()
