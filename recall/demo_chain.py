"""Demo data, part two: the chain beyond the case. One programme at every stage of the chain,
and, across them, the pilot's chain figures: 3 associations formed, 2 industry standards and
1 "Zhejiang Made" standard published, 3 enterprises cultivated to the 品字标 mark."""

import asyncio
from collections.abc import Awaitable, Callable

from recall.rules.credit_code import credit_code_check_char

Call = Callable[..., Awaitable[dict]]


def registration_no(first17: str) -> str:
    """A social organisation's unified social credit code (51...), with its check character."""
    return first17 + credit_code_check_char(first17)


# fmt: off
STANDARD_STEPS = ("10.99", "20.00")
REVIEWERS = ("浙江省标准化研究院专家", "省玩具质检中心专家", "高校材料学专家", "消费者代表")
# fmt: on


async def _association(
    call: Call,
    programme: str,
    name: str,
    founders: list[str],
    steps: tuple[str, ...],
    registration_no: str | None = None,
) -> str:
    body = {"name": name, "programme_id": programme, "founding_enterprise_ids": founders}
    association = (await call("POST", "/associations", body, 201))["id"]
    for step in steps:
        transition = {"to": step}
        if step == "registered":
            transition["registration_no"] = registration_no
        await call("POST", f"/associations/{association}/transitions", transition)
    return association


async def _standard(
    call: Call,
    programme: str,
    association: str,
    title: str,
    kind: str,
    drafters: list[str],
    *,
    publish: bool,
    comments=(),
) -> str:
    body = {"programme_id": programme, "title": title, "kind": kind,
            "drafting_association_id": association, "drafters": drafters}  # fmt: skip
    standard = (await call("POST", "/standards", body, 201))["id"]
    url = f"/standards/{standard}"
    for code in STANDARD_STEPS:
        await call("POST", f"{url}/transitions", {"to": code})
    if not publish:  # left in public comment (征求意见) for 30 days, with what came in so far
        await call("POST", f"{url}/transitions", {"to": "40.20", "comment_period_days": 30})
        for author, text, clause, disposition in comments:
            comment = (
                await call(
                    "POST",
                    f"{url}/comments",
                    {"author": author, "text": text, "clause": clause},
                    201,
                )
            )["id"]
            if disposition:
                await call(
                    "POST",
                    f"{url}/comments/{comment}/disposition",
                    {"disposition": disposition[0], "reason": disposition[1]},
                )
        return standard
    await call("POST", f"{url}/transitions", {"to": "40.20", "comment_period_days": 0})
    await call("POST", f"{url}/transitions", {"to": "50.20"})
    votes = [{"voter": v, "vote": "approve"} for v in REVIEWERS[:3]]
    votes.append({"voter": REVIEWERS[3], "vote": "abstain"})
    await call("POST", f"{url}/ballot", {"votes": votes})
    for code in ("50.60", "60.60"):
        await call("POST", f"{url}/transitions", {"to": code})
    return standard


async def _cultivation(
    call: Call,
    programme: str,
    enterprise: str,
    tier: str,
    last: str,
    certificate_no: str | None = None,
) -> None:
    body = {"programme_id": programme, "enterprise_id": enterprise, "tier": tier}
    cultivation = (await call("POST", "/brand-cultivations", body, 201))["id"]
    for step in ("diagnosed", "improving", "certification_applied", "certified", "labelled"):
        transition = {"to": step}
        if step == "certified":
            transition["certificate_no"] = certificate_no
        await call("POST", f"/brand-cultivations/{cultivation}/transitions", transition)
        if step == last:
            return


async def _programme(call: Call, industry: str, case: str, title: str) -> str:
    body = {"industry_code": industry, "case_ids": [case], "title": title}
    return (await call("POST", "/programmes", body, 201))["id"]


async def _completed(call: Call, ents: dict[str, str], case: str, producers: list[str]) -> None:
    """The magnet-ball industry, the pilot's own chain: its association, an industry and a
    "Zhejiang Made" standard, and three enterprises to the 品字标 mark."""
    magnets = await _programme(call, "magnetic-toys", case, "巴克球产业提升：从召回到“品字标”")
    association = await _association(
        call,
        magnets,
        "金华市磁力玩具行业协会",
        producers[:9],
        ("preparing", "charter_adopted", "registered"),
        registration_no("51330700MJC123456"),
    )
    await asyncio.gather(
        _standard(
            call,
            magnets,
            association,
            "磁力玩具 安全技术要求",
            "industry",
            ["金华市磁悦磁业有限公司"],
            publish=True,
        ),
        _standard(
            call,
            magnets,
            association,
            "高磁通量磁力玩具（巴克球类）",
            "zhejiang_made",
            ["金华市磁悦磁业有限公司", "义乌市磁立方玩具有限公司"],
            publish=True,
        ),
    )
    certified = (
        (producers[0], "labelled"),
        (producers[5], "certified"),
        (producers[9], "certified"),
    )
    await asyncio.gather(
        *(
            _cultivation(call, magnets, enterprise, "重点培育", last, f"品字标-ZJ-2026-{n:04d}")
            for n, (enterprise, last) in enumerate(certified, 1)
        )
    )


async def _hazard_elimination(call: Call, case: str) -> None:
    """The magnetic tiles of Yiwu, two hazards still open."""
    await _programme(call, "magnetic-toys", case, "义乌磁力片积木质量提升")


async def _association_formation(call: Call, ents: dict[str, str], case: str) -> None:
    """Vacuum-flask lids; the first stage waived by the regulator."""
    flasks = await _programme(call, "vacuum-flasks", case, "永康保温杯产业质量提升")
    await call(
        "POST",
        f"/programmes/{flasks}/waivers",
        {
            "stage": "hazard_elimination",
            "reason": "杯盖隐患已由企业整改到位，待召回完成后复检；不影响行业协会筹建",
        },
    )
    await _association(
        call, flasks, "永康市保温杯行业协会（筹）", [ents["永康市恒温杯业有限公司"]], ("preparing",)
    )


async def _standard_drafting(call: Call, ents: dict[str, str], case: str) -> None:
    """Vacuum flasks of Wuyi, a group standard in public comment."""
    wuyi = await _programme(call, "vacuum-flasks", case, "武义保温壶外观与涂层质量提升")
    wuyi_association = await _association(
        call,
        wuyi,
        "武义县杯壶行业协会",
        [ents["浙江武义保康杯业有限公司"]],
        ("preparing", "charter_adopted", "registered"),
        registration_no("51330723MJD765432"),
    )
    await _standard(
        call,
        wuyi,
        wuyi_association,
        "不锈钢保温壶外壁涂层耐洗涤性能",
        "group",
        ["浙江武义保康杯业有限公司"],
        publish=False,
        comments=(
            (
                "永康市恒温杯业有限公司",
                "建议洗碗机循环次数由100次提高到200次",
                "5.3",
                ("partially_accepted", "提高到150次，兼顾现有工艺"),
            ),
            ("消费者代表", "希望在标识中注明是否可用洗碗机", "7.1", None),
        ),
    )


async def _brand_cultivation(call: Call, ents: dict[str, str], case: str) -> None:
    """Helmets of Yongkang, an enterprise applying for certification."""
    helmets = await _programme(call, "auto-moto-parts", case, "永康头盔产业提升")
    helmet_association = await _association(
        call,
        helmets,
        "永康市头盔行业协会",
        [ents["永康市安骑头盔有限公司"]],
        ("preparing", "charter_adopted", "registered"),
        registration_no("51330784MJE112233"),
    )
    await _standard(
        call,
        helmets,
        helmet_association,
        "电动自行车乘员头盔 佩戴装置强度",
        "industry",
        ["永康市安骑头盔有限公司"],
        publish=True,
    )
    await _cultivation(
        call, helmets, ents["永康市安骑头盔有限公司"], "梯度培育", "certification_applied"
    )


async def load_chain(
    call: Call, ents: dict[str, str], cases: dict[str, str], magnet_producers: list[str]
) -> None:
    """`cases` maps the demo case titles to ids; `ents` enterprise names to ids. The programmes
    are loaded side by side (`call` bounds the requests in flight)."""
    producers = [ents[name] for name in magnet_producers]
    await asyncio.gather(
        _completed(call, ents, cases["巴克球（高磁力小磁球）吞食风险召回"], producers),
        _hazard_elimination(call, cases["磁力片外壳开裂磁体脱出召回"]),
        _association_formation(call, ents, cases["保温杯杯盖松脱烫伤风险"]),
        _standard_drafting(call, ents, cases["保温壶外壁涂层褪色"]),
        _brand_cultivation(call, ents, cases["头盔下颏带卡扣脱开"]),
    )
