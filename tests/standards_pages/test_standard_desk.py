"""The standard's workspace and the public comment form over HTTP as a browser sends them (forms,
cookies, redirects), on PostgreSQL and the Temporal dev server: the forms each person is offered,
a standard taken through public comment, dispositions and two ballots by its association; comments
from the public (CSRF cookie, refusals with the input kept, the per-address limit, a closed
period); the comment log as CSV and as the committee's table."""

import csv
import io

import pytest

from tests.api.eventually import eventually
from tests.api.helpers import ok
from tests.desk.people import form, send, sign_in
from tests.standards_pages.world import (
    DAY,
    anonymous,
    error_of,
    make_world,
    options,
    standard_acts,
)

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(api, stack, db):
    made = await make_world(api, db)
    clients = []

    async def person(username: str):
        client = await sign_in(stack["app"], username)
        clients.append(client)
        return client

    async def stranger(address: str):
        client = anonymous(stack["app"], address)
        clients.append(client)
        return client

    sid = made["standard"]["id"]
    yield {**made, "api": api, "person": person, "stranger": stranger, "id": sid,
           "desk": f"/desk/standards/{sid}", "public": f"/standards/{sid}/comment"}  # fmt: skip
    for client in clients:
        await client.aclose()


async def _standard(world) -> dict:
    return await ok(world["api"].get(f"/standards/{world['id']}"))


async def _to_public_comment(world, days: float) -> None:
    url = f"/standards/{world['id']}/transitions"
    for stage in ("10.99", "20.00"):
        await ok(world["api"].post(url, json={"to": stage}))
    await ok(world["api"].post(url, json={"to": "40.20", "comment_period_days": days}))


async def _comment(client, path: str, **fields) -> "object":
    """Load the public form (its CSRF cookie comes with it) and send it filled."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return await send(client, page.text, "comment", **fields)


async def test_the_workspace_offers_each_person_their_forms(world, stack) -> None:
    xie, ent0 = await world["person"]("xie"), await world["person"]("ent0")
    wang, li = await world["person"]("wang"), await world["person"]("li")
    other = await world["person"]("other")

    page = (await xie.get(world["desk"])).text
    assert 'data-stage="00.00"' in page and "00.00 提案" in page
    assert standard_acts(page) == {"transition"}
    assert options(page, "transition", "to") == ["10.99", "95.99"]
    assert standard_acts((await wang.get(world["desk"])).text) == {"transition"}  # its region
    for outsider in (ent0, li, other):
        page = await outsider.get(world["desk"])
        assert page.status_code == 200 and standard_acts(page.text) == set()
    # the same person may not send an act the page does not offer them
    refused = await send(other, (await xie.get(world["desk"])).text, "transition", to="10.99")
    assert refused.status_code == 403
    assert (await _standard(world))["stage_code"] == "00.00"
    answer = await anonymous(stack["app"], "198.51.100.1").get(world["desk"])
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")

    await _to_public_comment(world, 30)
    page = (await xie.get(world["desk"] + "?lang=en")).text
    assert "40.20 public comment" in page and 'data-due="' in page
    assert standard_acts(page) == {"transition", "comment"}
    assert options(page, "transition", "to") == ["95.99"]  # comments close by themselves
    assert "data-blocked" in page
    for commenter in (ent0, li):
        assert standard_acts((await commenter.get(world["desk"])).text) == {"comment"}
    answer = await send(ent0, (await ent0.get(world["desk"])).text, "comment",
                        author="企业0", text="建议增加警示标签", clause="7.1")  # fmt: skip
    assert answer.status_code == 303
    comment = (await _standard(world))["comments"][0]
    assert comment["author"] == "企业0" and comment["clause"] == "7.1"
    assert comment["organisation"] is None
    page = (await xie.get(world["desk"])).text
    assert f'data-comment="{comment["id"]}"' in page and "dispose_comment" in standard_acts(page)
    assert "dispose_comment" not in standard_acts((await ent0.get(world["desk"])).text)
    assert (await xie.get("/desk/standards/std_nope")).status_code == 404


async def test_a_standard_through_public_comment_dispositions_and_two_ballots(world, stack) -> None:
    xie = await world["person"]("xie")
    desk = world["desk"]
    for stage in ("10.99", "20.00"):
        answer = await send(xie, (await xie.get(desk)).text, "transition", to=stage, note="按计划")
        assert answer.status_code == 303 and answer.headers["location"] == desk
    page = (await xie.get(desk)).text
    assert options(page, "transition", "to") == ["40.20", "95.99"]
    answer = await send(xie, page, "transition", to="40.20", comment_period_days=f"{4 / DAY:.8f}")
    assert answer.status_code == 303
    standard = await _standard(world)
    assert standard["stage_code"] == "40.20" and standard["comment_period_ends_at"]

    # two members of the public, each from an address of their own
    first, second = await world["stranger"]("203.0.113.7"), await world["stranger"]("203.0.113.8")
    maker = "金华市第1磁业有限公司"
    answer = await _comment(
        first,
        world["public"],
        author="张三",
        organisation=maker,
        clause="5.2",
        text="磁通量限值过严",
    )
    assert answer.status_code == 303 and answer.headers["location"] == world["public"] + "?sent=1"
    thanks = await first.get(answer.headers["location"])
    assert "data-sent" in thanks.text and 'data-action="comment"' in thanks.text
    refused = await _comment(first, world["public"], author="张三", clause="6.1", text="")
    assert refused.status_code == 422
    text, field = error_of(refused.text)
    assert field == "text" and "1000" in text
    assert 'value="张三"' in refused.text and 'value="6.1"' in refused.text  # the input is kept
    answer = await _comment(second, world["public"], author="李四", text='=HYPERLINK("x")')
    assert answer.status_code == 303

    standard = await _standard(world)
    c1, c2 = standard["comments"]
    assert (c1["author"], c1["organisation"], c1["clause"]) == (
        "张三",
        "金华市第1磁业有限公司",
        "5.2",
    )
    assert (c2["author"], c2["organisation"]) == ("李四", None)
    received = [m for m in standard["milestones"] if m["kind"] == "comment_received"]
    actors = [m["actor"] for m in received]
    assert all(a.startswith("public:") and len(a) == len("public:") + 6 for a in actors)
    assert actors[0] != actors[1]  # two addresses
    assert not any("203.0.113" in (m["note"] or "") + m["actor"] for m in standard["milestones"])

    # the period ends by itself; the form says so and takes nothing more
    await eventually(lambda: _standard(world), lambda s: s["stage_code"] == "40.60")
    closed = await first.get(world["public"])
    assert "data-closed" in closed.text and 'data-action="comment"' not in closed.text
    late_form = {**form(thanks.text, "comment").fields, "author": "王五", "text": "迟到的意见"}
    late = await first.post(world["public"], data=late_form)
    assert late.status_code == 409 and "data-closed" in late.text
    assert len((await _standard(world))["comments"]) == 2

    # every comment gets its disposition before technical review
    page = (await xie.get(desk)).text
    assert options(page, "transition", "to") == ["95.99"] and "data-blocked" in page
    assert 'data-undisposed="2"' in page
    refused = await send(xie, page, "dispose_comment", comment_id=c1["id"], disposition="rejected")
    assert refused.status_code == 422 and error_of(refused.text)[1] == "reason"
    assert 'value="rejected" selected' in refused.text
    await send(xie, refused.text, "dispose_comment", comment_id=c1["id"],
               disposition="partially_accepted", reason="限值改为 50 kG²mm²")  # fmt: skip
    page = (await xie.get(desk)).text
    await send(xie, page, "dispose_comment", comment_id=c2["id"], disposition="accepted")
    page = (await xie.get(desk)).text
    assert "dispose_comment" not in standard_acts(page) and "data-undisposed" not in page
    assert options(page, "transition", "to") == ["50.20", "95.99"]
    await send(xie, page, "transition", to="50.20")

    # the ballot: a drafter may not vote; one that fails 3/4, then one that passes
    page = (await xie.get(desk)).text
    assert "ballot" in standard_acts(page) and "data-rule" in page
    drafter = await xie.post(f"{desk}/ballot", data={**form(page, "ballot").fields,
                                                    "voter": ["专家A", "张工"],
                                                    "vote": ["approve", "approve"]})  # fmt: skip
    assert drafter.status_code == 422 and error_of(drafter.text)[1] == "votes"
    assert 'value="张工"' in drafter.text  # the rows are kept
    rows = {"voter": ["专家A", "专家B", "", "专家C", "专家D", "专家E"],
            "vote": ["approve", "approve", "", "disapprove", "disapprove", "abstain"]}  # fmt: skip
    page = (await xie.get(desk)).text
    answer = await xie.post(f"{desk}/ballot", data={**form(page, "ballot").fields, **rows})
    assert answer.status_code == 303
    ballot = (await _standard(world))["ballot"]
    assert (ballot["approve"], ballot["disapprove"], ballot["abstain"], ballot["passed"]) == (
        2, 2, 1, False,
    )  # fmt: skip
    page = (await xie.get(desk)).text
    assert 'data-ballot="not_passed"' in page and "2/4" in page
    assert options(page, "transition", "to") == ["95.99"]  # approval needs a ballot that passed
    rows["vote"] = ["approve", "approve", "", "approve", "disapprove", "abstain"]
    answer = await xie.post(f"{desk}/ballot", data={**form(page, "ballot").fields, **rows})
    assert answer.status_code == 303
    assert (await _standard(world))["ballot"]["passed"] is True
    page = (await xie.get(desk)).text
    assert 'data-ballot="passed"' in page and "3/4" in page
    await send(xie, page, "transition", to="50.60")
    await send(xie, (await xie.get(desk)).text, "transition", to="60.60", note="T/ZJCL 001-2026")
    page = (await xie.get(desk)).text
    assert (await _standard(world))["stage_code"] == "60.60" and standard_acts(page) == set()
    assert "data-published-reference>T/ZJCL 001-2026<" in page  # the published text's reference

    # the comment log as CSV and as the committee's table
    answer = await xie.get(f"{desk}/comments.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["序号", "章条编号", "提出人", "提出单位", "意见内容", "处理意见", "理由"]
    assert rows[1][:7] == [
        "1",
        "5.2",
        "张三",
        maker,
        "磁通量限值过严",
        "部分采纳",
        "限值改为 50 kG²mm²",
    ]
    assert rows[2][4] == '\'=HYPERLINK("x")' and rows[2][5] == "采纳"  # no formula
    english = list(csv.reader(io.StringIO((await xie.get(f"{desk}/comments.csv?lang=en")).text)))
    assert english[0][0].endswith("No.") and english[1][5] == "partially accepted"
    table = (await xie.get(f"{desk}/comments/table")).text
    for column in ("序号", "章条编号", "意见内容", "提出单位/人", "处理意见", "理由"):
        assert f"{column}</th>" in table or f"{column}<br>" in table
    assert f"{maker} / 张三" in table and "部分采纳" in table

    # every act is in the audit trail, named, on the standard
    audit = await ok(world["api"].get("/audit", params={"object": world["id"]}))
    actions = {e["action"] for e in audit["items"] if e["object_type"] == "standards"}
    assert {"transition", "dispose_comment", "ballot", "public_comment"} <= actions


async def test_the_public_form_needs_its_cookie_and_limits_each_address(world, stack) -> None:
    await _to_public_comment(world, 30)
    stranger = await world["stranger"]("198.51.100.20")
    page = await stranger.get(world["public"])
    assert 'data-due="' in page.text and "recall_csrf" in stranger.cookies
    fields = {**form(page.text, "comment").fields, "author": "王五", "text": "建议"}
    forged = anonymous(stack["app"], "198.51.100.20")  # the same address, no cookie
    answer = await forged.post(world["public"], data=fields)
    await forged.aclose()
    assert answer.status_code == 403 and error_of(answer.text)[0]
    assert (await _standard(world))["comments"] == []

    for n in range(4):
        answer = await _comment(stranger, world["public"], author="王五", text=f"意见 {n}")
        assert answer.status_code == 303, answer.text
    # the same form sent twice (a double click) acts once and counts once
    page = (await stranger.get(world["public"])).text
    for _ in range(2):
        answer = await send(stranger, page, "comment", author="王五", text="同一份意见")
        assert answer.status_code == 303
    assert len((await _standard(world))["comments"]) == 5
    refused = await _comment(stranger, world["public"], author="王五", text="第六条")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 500
    assert "第六条" in refused.text and "data-error" in refused.text
    assert len((await _standard(world))["comments"]) == 5
    elsewhere = await world["stranger"]("198.51.100.21")
    answer = await _comment(elsewhere, world["public"], author="赵六", text="另一地址")
    assert answer.status_code == 303
    assert len((await _standard(world))["comments"]) == 6


async def test_the_public_form_is_closed_outside_public_comment(world) -> None:
    stranger = await world["stranger"]("198.51.100.40")
    page = await stranger.get(world["public"])
    assert page.status_code == 200 and "data-closed" in page.text
    assert 'data-period="not_open"' in page.text and 'data-action="comment"' not in page.text
    english = await stranger.get(world["public"] + "?lang=en")
    assert "has not opened" in english.text
    token = stranger.cookies["recall_csrf"]
    answer = await stranger.post(
        world["public"], data={"csrf_token": token, "author": "王五", "text": "太早了"}
    )
    assert answer.status_code == 409 and "data-closed" in answer.text
    assert (await _standard(world))["comments"] == []
    assert (await stranger.get("/standards/std_nope/comment")).status_code == 404


async def test_an_associations_workbench_leads_to_its_association_and_standards(world) -> None:
    xie, other = await world["person"]("xie"), await world["person"]("other")
    desk = (await xie.get("/desk")).text
    assert f'href="/desk/associations/{world["association"]["id"]}"' in desk
    assert f'href="{world["desk"]}"' in desk and 'data-todo="standard"' in desk
    assert world["desk"] not in (await other.get("/desk")).text  # not its standard
    await _to_public_comment(world, 3)
    desk = (await xie.get("/desk")).text
    assert 'data-todo="standard"' in desk and "data-due=" in desk  # the comment period's end
