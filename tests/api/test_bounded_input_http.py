"""The bounds on input, through a real socket (uvicorn) rather than the ASGI transport: a body
over its limit is 413 whether it declares its length or comes chunked, JSON or a multipart
upload, and the connection is closed without reading the rest; a text over its limit is 422
naming the field; a page of reports or cases holds no more text than it shows."""

import asyncio
import json
from urllib.parse import urlsplit

import httpx
from sqlalchemy import event

from recall.rules.limits import NAME, TEXT
from tests.api.helpers import ok, seed
from tests.conftest import make_token

MB = 1024 * 1024
REPORTS, UPLOADS, FILES = "/api/v1/defect-reports", "/api/v1/imports/cpsc", "/api/v1/files"


async def _post(base: str, token: str, path: str, headers: dict, chunks) -> tuple[int, dict]:
    """POST on a raw connection: the head, then the body's
    chunks until the server answers (it may answer and close before the body is over). The
    status and the JSON body."""
    url = urlsplit(base)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", f"Authorization: Bearer {token}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    chunked = headers.get("Transfer-Encoding") == "chunked"

    async def send() -> None:
        try:
            for chunk in chunks:
                writer.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                await writer.drain()
            if chunked:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except (ConnectionError, OSError):
            pass  # answered and closed before the body was over, as it should

    sending = asyncio.create_task(send())
    try:
        async with asyncio.timeout(60):
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length)
    finally:
        sending.cancel()
        writer.close()
    return status, json.loads(body) if body else {}


def _repeat(chunk: bytes, total: int):
    for _ in range(total // len(chunk) + 1):
        yield chunk


def _multipart(size: int) -> tuple[str, list[bytes]]:
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", [head, *_repeat(b" " * 65536, size), tail]


async def test_bodies_over_their_limit_are_413_on_a_real_socket(live, stack, db) -> None:
    token = await make_token(db, role="admin", name="http-admin")
    body_limit = stack["settings"].max_body_kb * 1024
    upload_limit = stack["settings"].max_upload_mb * MB
    json_type = {"Content-Type": "application/json"}
    refused = []

    async def expect_413(path: str, headers: dict, chunks, field: str | None) -> None:
        status, body = await _post(live, token, path, headers, chunks)
        if (status, body.get("error"), body.get("field")) != (413, "too_large", field):
            refused.append(f"{path} {headers}: {status} {body}")

    # declared: refused on the head alone (90 MB, as the description was)
    await expect_413(REPORTS, {**json_type, "Content-Length": str(90 * MB)}, [], None)
    await expect_413(
        REPORTS,
        {**json_type, "Content-Length": str(body_limit + 1)},
        [b" " * (body_limit + 1)],
        None,
    )
    # chunked: no length, refused once the bytes pass the limit
    chunked = {**json_type, "Transfer-Encoding": "chunked"}
    await expect_413(REPORTS, chunked, _repeat(b" " * 65536, body_limit + 1), None)
    await expect_413(
        REPORTS,
        {**chunked, "Idempotency-Key": "big"},
        _repeat(b" " * 65536, 2 * MB),
        None,
    )
    # the pages' forms are bodies too: the public comment form, which anyone may send
    form = {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"}
    await expect_413("/standards/std_1/comment", form, _repeat(b"a" * 65536, 2 * MB), None)
    # uploads: the larger limit, the file field named
    content_type, parts = _multipart(upload_limit + 1)
    await expect_413(
        UPLOADS,
        {"Content-Type": content_type, "Content-Length": str(sum(map(len, parts)))},
        parts,
        "file",
    )
    content_type, parts = _multipart(upload_limit + 1)
    await expect_413(
        FILES,
        {"Content-Type": content_type, "Transfer-Encoding": "chunked"},
        parts,
        "file",
    )
    assert not refused, "\n".join(refused)

    async with httpx.AsyncClient(
        base_url=f"{live}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        assert (await ok(api.get("/defect-reports")))["items"] == []  # nothing was filed


async def test_text_over_its_limit_is_422_naming_it_on_a_real_socket(live, db) -> None:
    token = await make_token(db, role="admin", name="http-admin")
    async with httpx.AsyncClient(
        base_url=f"{live}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        data = await seed(api)
        report = {
            "source": "media",
            "product": "巴克球",
            "description": "误吞",
            "industry_code": "magnetic-toys",
            "region_code": "330702",
        }
        for name, limit in (("product", NAME), ("description", TEXT)):
            r = await api.post("/defect-reports", json={**report, name: "磁" * (limit + 1)})
            assert (r.status_code, r.json()["field"]) == (422, name), r.text
            assert f"at most {limit} characters" in r.json()["detail"], r.text
            r = await api.post("/defect-reports", json={**report, name: "磁" * limit})
            assert r.status_code == 201, r.text
        r = await api.get("/defect-reports", params={"q": "磁" * (NAME + 1)})
        assert (r.status_code, r.json()["field"]) == (422, "q"), r.text
        assert len((await ok(api.get("/defect-reports")))["items"]) == 3  # seed's and two
        assert data["report"]["id"]


async def test_a_page_of_cases_does_not_read_their_plans_and_reasons(api, stack) -> None:
    data = await seed(api)
    await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    engine = stack["app"].state.engine
    statements: list[str] = []

    def capture(conn, cursor, statement, *_) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        page = await ok(api.get("/cases", params={"q": "巴克"}))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert len(page["items"]) == 1 and page["items"][0]["title"]
    listing = next(s for s in statements if "FROM cases" in s)
    for column in ("cases.plan", "cases.decision_reason", "cases.defect_report_ids"):
        assert column not in listing, listing
