"""A recall case worked from start to end in a real headless Chromium (the system's, driven by
Playwright), through the forms only, by a regulator and two enterprises each signed in in a browser
of their own; each step checked on the page and in the API. In Chinese and in English. Screenshots
of /desk and of the case page for each role (in the test's tmp path, or DESK_SCREENSHOTS)."""

import struct
import zlib
from typing import TYPE_CHECKING

import pytest

from tests.api.helpers import credit_code, ok, seed
from tests.browser import browser
from tests.desk.people import CASE_ACTS, PASSWORD, make_people

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.slow


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0f\x76\x6e")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Person:
    """One person in a browser of their own, acting through the pages only."""

    def __init__(self, page: "Page", base: str, lang: str):
        self.page, self.base, self.lang = page, base, lang

    def url(self, path: str) -> str:
        return f"{self.base}{path}" + ("" if self.lang == "zh" else "?lang=en")

    async def sign_in(self, username: str) -> None:
        await self.page.goto(self.url("/login"))
        await self.page.fill("input[name=username]", username)
        await self.page.fill("input[name=password]", PASSWORD)
        async with self.page.expect_navigation():
            await self.page.locator("form:has(input[name=password]) button[type=submit]").click()
        assert "/desk" in self.page.url, self.page.url

    async def open(self, path: str) -> None:
        await self.page.goto(self.url(path))

    def form(self, act: str, hazard_id: str | None = None):
        selector = f'form[data-action="{act}"]'
        if hazard_id:
            selector += f':has(input[name=hazard_id][value="{hazard_id}"])'
        return self.page.locator(selector)

    async def act(self, act: str, hazard_id: str | None = None, files=None, **fields) -> None:
        """Fill the act's form as a person would and send it; wait for the page it leads to."""
        form = self.form(act, hazard_id)
        for name, value in fields.items():
            field = form.locator(f'[name="{name}"]')
            tag = await field.evaluate("e => e.tagName")
            if tag == "SELECT":
                await field.select_option(value)
            else:
                await field.fill(value)
        if files:
            await form.locator('input[type=file][name="files"]').set_input_files(files)
        async with self.page.expect_navigation():
            await form.locator("button[type=submit]").click()

    async def acts(self) -> set[str]:
        """The acts on a recall case that the page offers (not signing out and the like)."""
        found = await self.page.locator("form[data-action]").evaluate_all(
            "fs => fs.map(f => f.dataset.action)"
        )
        return set(found) & CASE_ACTS

    async def error(self) -> tuple[str, str | None]:
        error = self.page.locator("[data-error]").first
        return await error.inner_text(), await error.get_attribute("data-field")


async def case_of(api, case_id: str) -> dict:
    return await ok(api.get(f"/cases/{case_id}"))


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_recall_case_from_two_reports_to_closure_in_the_browser(
    lang, live, api, db, shots
) -> None:
    seeded = await seed(api)
    ent0, ent1 = (e["id"] for e in seeded["enterprises"])
    # an enterprise of the industry that no report names
    ent2 = (
        await ok(
            api.post(
                "/enterprises",
                json={
                    "name": "金华市第3磁业有限公司",
                    "credit_code": credit_code("330702", 7),
                    "region_code": "330702",
                    "industry_code": "magnetic-toys",
                },
            ),
            201,
        )
    )["id"]
    second = await ok(
        api.post(
            "/defect-reports",
            json={
                "source": "consumer_complaint",
                "product": "磁力珠 magnetic beads",
                "description": "两名儿童吞食磁珠",
                "industry_code": "magnetic-toys",
                "region_code": "330702",
                "enterprise_ids": [ent0],
            },
        ),
        201,
    )
    await make_people(db, [*seeded["enterprises"], {"id": ent2}])
    reports = [seeded["report"]["id"], second["id"]]

    async with browser() as new_page:
        wang = Person(await new_page(), live, lang)
        producer = Person(await new_page(), live, lang)
        third = Person(await new_page(), live, lang)  # the enterprise no report named
        await wang.sign_in("wang")
        await producer.sign_in("ent0")
        await third.sign_in("ent2")

        # the regulator opens a case from the two reports
        await wang.open("/desk/reports")
        for report in reports:
            await wang.page.check(f'input[name=defect_report_ids][value="{report}"]')
        await wang.act("open_case", title="巴克球误吞案")
        case_id = wang.page.url.split("/desk/cases/")[1].split("?")[0]
        case = await case_of(api, case_id)
        assert case["stage"] == "reported" and sorted(case["defect_report_ids"]) == sorted(reports)
        assert await wang.acts() >= {"assess", "add_hazard"}

        # a refused act shows its reason, beside the form, with the input kept
        await wang.act("assess", severity="4", probability="gt_1_100", level_override="low")
        text, field = await wang.error()  # an override needs its reason
        assert field == "override_reason", text
        assert await wang.form("assess").locator("[name=probability]").input_value() == "gt_1_100"
        assert (await case_of(api, case_id))["stage"] == "reported"

        await wang.act("assess", severity="4", probability="gt_1_100", level_override="")
        assert (await case_of(api, case_id))["risk"]["level"] == "serious"
        await wang.act("decide", decision="voluntary_recall")
        assert (await case_of(api, case_id))["decision"] == "voluntary_recall"
        assert await wang.page.locator("[data-due]").count() >= 1  # the plan is due
        await wang.page.screenshot(
            path=shots / f"case-regulator-decided-{lang}.png", full_page=True
        )

        # the enterprise submits a plan; the regulator returns it; it comes again
        await producer.open("/desk")
        assert await producer.page.locator('[data-todo="submit_plan"]').count() == 1
        await producer.page.screenshot(
            path=shots / f"desk-enterprise-todo-{lang}.png", full_page=True
        )
        await producer.open(f"/desk/cases/{case_id}")
        assert await producer.acts() == {"submit_plan"}
        plan = dict(units_affected="1000", remedy="refund", summary="召回全部批次并退款")
        await producer.act("submit_plan", correction_rate_target="0.9", **plan)
        assert (await case_of(api, case_id))["stage"] == "recall_planned"
        await wang.open(f"/desk/cases/{case_id}")
        await wang.act("return_plan", reason="未写明退款渠道")
        case = await case_of(api, case_id)
        assert (
            case["stage"] != "recall_planned" and case["plan"]["return_reason"] == "未写明退款渠道"
        )
        await producer.open(f"/desk/cases/{case_id}")
        assert "未写明退款渠道" in await producer.page.content()
        await producer.act("submit_plan", correction_rate_target="0.9", **plan)
        await wang.open(f"/desk/cases/{case_id}")
        await wang.act("accept_plan", note="同意")
        assert (await case_of(api, case_id))["stage"] == "remediating"
        await wang.open("/desk")
        await wang.page.screenshot(path=shots / f"desk-regulator-todo-{lang}.png", full_page=True)
        await wang.open(f"/desk/cases/{case_id}")

        # a hazard for an enterprise no report named: it becomes a party to the case
        await wang.act(
            "add_hazard", enterprise_id=ent2, category="ingestion", description="磁珠尺寸过小"
        )
        case = await case_of(api, case_id)
        hazard_id = case["hazards"][0]["id"]
        assert ent2 in case["enterprise_ids"]
        await third.open("/desk")
        assert await third.page.locator('[data-todo="eliminate"]').count() == 1
        await third.open(f"/desk/cases/{case_id}")
        assert await third.acts() == {"eliminate_hazard", "report_progress"}  # a party now
        await third.page.screenshot(path=shots / f"case-third-open-{lang}.png", full_page=True)
        await third.act(
            "eliminate_hazard",
            hazard_id,
            evidence="更换为大尺寸磁珠，送检合格",
            files=[
                {"name": "照片.png", "mimeType": "image/png", "buffer": tiny_png()},
                {"name": "检测报告.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF},
            ],
        )
        hazard = (await case_of(api, case_id))["hazards"][0]
        assert hazard["status"] == "eliminated" and len(hazard["evidence_file_ids"]) == 2
        links = third.page.locator(f'[data-hazard="{hazard_id}"] [data-file] a')
        assert await links.count() == 2
        download = await third.page.request.get(
            live + (await links.first.get_attribute("href") or "")
        )
        assert download.ok and (await download.body()).startswith(b"\x89PNG")

        # the regulator finds it back: reopened with a reason; eliminated again
        await wang.open(f"/desk/cases/{case_id}")
        await wang.act("reopen_hazard", hazard_id, reason="抽查发现仍有小磁珠")
        assert (await case_of(api, case_id))["hazards"][0]["status"] == "reopened"
        await third.open(f"/desk/cases/{case_id}")
        await third.act("eliminate_hazard", hazard_id, evidence="全部批次已更换")
        assert (await case_of(api, case_id))["hazards"][0]["status"] == "eliminated"

        # a refused progress report; then one sent twice from the same page (a double click)
        await producer.open(f"/desk/cases/{case_id}")
        await producer.act("report_progress", units_corrected="5000")  # more than affected
        text, field = await producer.error()
        assert field == "units_corrected", text
        form = producer.form("report_progress")
        await form.locator("[name=units_corrected]").fill("900")
        async with producer.page.expect_navigation():
            await form.evaluate("f => { f.requestSubmit(); f.requestSubmit(); }")
        progress = [
            m
            for m in (await case_of(api, case_id))["milestones"]
            if m["kind"] == "progress_reported"
        ]
        assert len(progress) == 1
        assert (await case_of(api, case_id))["correction_rate"] == pytest.approx(0.9)

        # verification and closure
        await wang.open(f"/desk/cases/{case_id}")
        await wang.act("verify", note="现场核查通过")
        assert (await case_of(api, case_id))["stage"] == "verified"
        await wang.act("close", summary="召回完成")
        assert (await case_of(api, case_id))["stage"] == "closed"
        assert await wang.acts() == set()  # a closed case is final

        # a form without its CSRF token changes nothing
        await wang.open("/desk/reports")
        await wang.page.evaluate(
            "document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())"
        )
        await wang.act("open_case")
        assert await wang.page.locator("[data-error]").count() == 1  # the 403 page says why
        assert len((await ok(api.get("/cases")))["items"]) == 1

        for who, person in (("regulator", wang), ("enterprise", producer), ("third", third)):
            await person.open("/desk")
            await person.page.screenshot(path=shots / f"desk-{who}-{lang}.png", full_page=True)
            await person.open(f"/desk/cases/{case_id}")
            await person.page.screenshot(path=shots / f"case-{who}-{lang}.png", full_page=True)
