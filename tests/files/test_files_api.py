"""Evidence files over the API, against PostgreSQL: what is stored, what is served and with which
headers, what is refused (by content, by size, empty), and who may read a file before and after
a case holds it."""

import hashlib
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import func, select

from recall.files.models import StoredFile
from recall.files.service import attach
from tests.api.helpers import credit_code, ok, seed
from tests.files.samples import SAMPLES, pdf, png

DOWNLOAD_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "content-security-policy": "default-src 'none'; sandbox",
}


async def stored_count(db) -> int:
    async with db() as session:
        return await session.scalar(select(func.count()).select_from(StoredFile))


def upload(name: str, data: bytes, declared: str = "application/octet-stream") -> dict:
    return {"files": {"file": (name, data, declared)}}


async def test_each_type_is_stored_and_served_back_as_it_came(api) -> None:
    for content_type, (name, make) in SAMPLES.items():
        data = make()
        out = await ok(api.post("/files", **upload(name, data)), 201)
        sha = hashlib.sha256(data).hexdigest()
        assert out == {
            "id": out["id"],
            "name": name,
            "content_type": content_type,
            "size": len(data),
            "sha256": sha,
        }
        r = await api.get(f"/files/{out['id']}")
        assert r.status_code == 200 and r.content == data
        assert r.headers["content-type"] == content_type
        assert r.headers["content-disposition"] == f"attachment; filename*=UTF-8''{name}"
        assert {k: r.headers[k] for k in DOWNLOAD_HEADERS} == DOWNLOAD_HEADERS
        assert r.headers["etag"] == f'"{sha}"' and r.headers["x-checksum-sha256"] == sha


async def test_the_type_comes_from_the_content_not_the_name_or_declared_type(api) -> None:
    out = await ok(api.post("/files", **upload("scan.txt", pdf(), "text/html")), 201)
    assert out["content_type"] == "application/pdf"
    r = await api.get(f"/files/{out['id']}")
    assert r.headers["content-type"] == "application/pdf"


async def test_names_keep_chinese_and_lose_paths_and_control_characters(api) -> None:
    cases = {
        "检测报告 第1号.pdf": "检测报告 第1号.pdf",
        "C:\\fakepath\\整改照片.png": "整改照片.png",
        "../../etc/passwd.pdf": "passwd.pdf",
        "..": "evidence.pdf",
        "长" * 300 + ".pdf": "长" * 196 + ".pdf",
    }
    for sent, kept in cases.items():
        out = await ok(api.post("/files", **upload(sent, pdf())), 201)
        assert out["name"] == kept, sent
        r = await api.get(f"/files/{out['id']}")
        disposition = r.headers["content-disposition"]
        assert disposition.startswith("attachment; filename*=UTF-8''"), disposition
        assert disposition.isascii() and unquote(disposition.split("''", 1)[1]) == kept


async def test_control_characters_in_a_sent_name_are_dropped(api) -> None:
    """Written by hand: httpx would percent-encode them in the part's header."""
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="bell\x07\x7ftab\t.pdf"\r\n\r\n'
        ).encode()
        + pdf()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    out = await ok(api.post("/files", content=body, headers=headers), 201)
    assert out["name"] == "belltab.pdf"


@pytest.mark.parametrize(
    ("name", "data", "declared"),
    [
        ("photo.png", b"<!doctype html><script>alert(document.cookie)</script>", "image/png"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        ("notes.txt", "整改说明：已全部召回".encode(), "text/plain"),
        ("almost.png", png()[:7], "image/png"),  # the PNG signature cut short
    ],
)
async def test_other_content_is_415_and_nothing_is_stored(api, db, name, data, declared) -> None:
    r = await api.post("/files", **upload(name, data, declared))
    assert r.status_code == 415, r.text
    assert r.json()["error"] == "unsupported_media_type" and r.json()["field"] == "file"
    assert await stored_count(db) == 0


async def test_an_empty_or_missing_file_is_422(api, db) -> None:
    r = await api.post("/files", **upload("empty.png", b""))
    assert (r.status_code, r.json()["field"]) == (422, "file"), r.text
    r = await api.post("/files", data={"other": "x"}, files={"x": ("a.png", png(), "image/png")})
    assert (r.status_code, r.json()["field"]) == (422, "file"), r.text
    assert await stored_count(db) == 0


async def test_a_file_over_the_limit_is_413_naming_file_and_nothing_is_stored(
    api, db, stack
) -> None:
    limit = stack["settings"].max_upload_mb * 1024 * 1024
    big = b"%PDF-1.4\n" + b"0" * (limit - 8)  # one byte over
    r = await api.post("/files", **upload("big.pdf", big))
    assert r.status_code == 413, r.text
    assert r.json() == {**r.json(), "error": "too_large", "field": "file"}

    # the same without a Content-Length: cut off while it streams, inside the route's parsing
    boundary = "fileboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    async def streamed():
        yield head
        for start in range(0, len(big), 1024 * 1024):
            yield big[start : start + 1024 * 1024]
        yield f"\r\n--{boundary}--\r\n".encode()

    r = await api.post(
        "/files",
        content=streamed(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413 and r.json()["field"] == "file", r.text
    assert await stored_count(db) == 0

    fits = b"%PDF-1.4\n" + b"0" * (limit - 64 * 1024)  # room for the form around it
    out = await ok(api.post("/files", **upload("fits.pdf", fits)), 201)
    assert out["size"] == len(fits)


async def _other_enterprise(api: httpx.AsyncClient) -> dict:
    return await ok(
        api.post(
            "/enterprises",
            json={
                "name": "义乌市某玩具厂",
                "credit_code": credit_code("330782", 99),
                "region_code": "330782",
                "industry_code": "magnetic-toys",
                "employees": 20,
            },
        ),
        201,
    )


async def test_who_reads_a_file_before_and_after_a_case_holds_it(api, db, client_as) -> None:
    data = await seed(api)
    ent, ent2 = (e["id"] for e in data["enterprises"])
    stranger = await _other_enterprise(api)
    uploader = await client_as(role="enterprise", enterprise_id=ent, name="金华一厂")
    partner = await client_as(role="enterprise", enterprise_id=ent2)
    foreign = await client_as(role="enterprise", enterprise_id=stranger["id"])
    local = await client_as(role="regulator", regions=["330702"])
    elsewhere = await client_as(role="regulator", regions=["330782"])
    # the same role and name as the uploader: the same actor, so the same person
    again = await client_as(role="enterprise", enterprise_id=ent, name="金华一厂")

    photo = png()
    file_id = (await ok(uploader.post("/files", **upload("整改.png", photo)), 201))["id"]
    readers = {uploader: 200, again: 200, api: 200}
    strangers = {partner: 404, foreign: 404, local: 404, elsewhere: 404}
    for client, status in {**readers, **strangers}.items():
        r = await client.get(f"/files/{file_id}")
        assert r.status_code == status, (client.headers, r.text)
        if status == 404:
            assert r.json() == {"error": "not_found", "detail": f"no file {file_id}", "field": None}
        else:
            assert r.content == photo

    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    async with db() as session:
        await attach(session, case["id"], [file_id])
        await session.commit()
    after = {uploader: 200, partner: 200, local: 200, api: 200, foreign: 404, elsewhere: 404}
    for client, status in after.items():
        r = await client.get(f"/files/{file_id}")
        assert r.status_code == status, (client.headers, r.text)

    r = await uploader.get("/files/file_00000000000000000000000000")
    assert r.status_code == 404


async def test_any_signed_in_role_may_upload_and_no_one_else(api, stack, client_as) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://test/api/v1"
    ) as anonymous:
        r = await anonymous.post("/files", **upload("a.png", png()))
        assert r.status_code == 401
    await ok(api.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    regulator = await client_as(role="regulator", regions=["330702"])
    await ok(regulator.post("/files", **upload("a.png", png())), 201)
