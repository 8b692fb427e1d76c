"""Every label of the dashboard pages and CSV files, in Chinese and English, in one catalogue.

`Labels("en")("figure.hazards_eliminated")` -> "Hazards eliminated". Codes from the domain (stages,
categories, kinds) are looked up as "<group>.<code>"; an unknown code reads as itself."""

from recall.accounts.labels import LABELS as ACCOUNT_LABELS
from recall.desk.chain_labels import LABELS as CHAIN_LABELS
from recall.desk.labels import LABELS as DESK_LABELS
from recall.desk.standard_labels import LABELS as STANDARD_LABELS
from recall.notices.labels import LABELS as NOTICE_LABELS

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# key: (中文, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    # page furniture
    "site.title": ("实施一个召回 提升一个产业", "One recall, one industry uplifted"),
    "site.subtitle": ("消除安全隐患看板", "Dashboard of eliminated hazards"),
    "site.chain": (
        "缺陷报告 → 消除安全隐患 → 成立行业协会 → 制定标准 → 品牌培育",
        "Defect report → hazard elimination → association → standard → brand cultivation",
    ),
    "nav.home": ("看板首页", "Dashboard"),
    "nav.other_lang": ("English", "中文"),
    "nav.sign_in": ("登录", "Sign in"),
    "nav.sign_out": ("退出登录", "Sign out"),
    "nav.signed_in_as": ("已登录：{name}（{role}）", "Signed in: {name} ({role})"),
    "nav.public": ("公众视图：仅显示汇总数据", "Public view: aggregate figures only"),
    "figures.as_of": ("数据更新于 {time}", "Figures as of {time}"),
    "footer.note": (
        "数据来自召回与产业提升跟踪系统；同一数据亦可通过 /api/v1/dashboard 获取。时间为北京时间。",
        "Figures from the recall and uplift tracker, also at /api/v1/dashboard. "
        "Times are China Standard Time.",
    ),
    # filters
    "filter.legend": ("筛选", "Filters"),
    "filter.region": ("行政区划", "Region"),
    "filter.industry": ("产业", "Industry"),
    "filter.from": ("起始日期", "From"),
    "filter.to": ("截止日期", "To"),
    "filter.all": ("全部", "All"),
    "filter.apply": ("应用", "Apply"),
    "filter.reset": ("清除", "Reset"),
    "filter.window_note": (
        "日期范围作用于消除时间、协会登记、标准发布与获证时间；未消除隐患与案件按当前状态统计。",
        "The dates bound eliminations, registrations, publications and certifications; "
        "open hazards and cases count as they stand now.",
    ),
    "filter.invalid": ("筛选条件有误：{detail}", "Invalid filter: {detail}"),
    # headline figures
    "section.headline": ("核心指标", "Headline figures"),
    "figure.hazards_eliminated": ("消除安全隐患", "Hazards eliminated"),
    "figure.hazards_open": ("待消除隐患", "Hazards still open"),
    "figure.median_days_to_eliminate": ("消除用时中位数", "Median days to eliminate"),
    "figure.associations_formed": ("成立行业协会", "Associations formed"),
    "figure.standards_published": ("发布标准", "Standards published"),
    "figure.brand_enterprises_certified": ("“品字标”获证企业", "Brand enterprises certified"),
    "figure.overdue_cases": ("逾期案件", "Overdue cases"),
    "unit.items": ("个", ""),
    "unit.days": ("天", "days"),
    "unit.enterprises": ("家", ""),
    "unit.cases": ("件", ""),
    "unit.standards": ("项", ""),
    "figure.none": ("—", "—"),
    # charts and tables
    "section.charts": ("隐患消除情况", "Hazard eliminations"),
    "chart.by_month": ("按月消除隐患数", "Hazards eliminated by month"),
    "chart.by_industry": ("按产业", "By industry"),
    "chart.by_region": ("按行政区划", "By region"),
    "chart.by_category": ("按隐患类别", "By hazard category"),
    "chart.legend_eliminated": ("已消除", "Eliminated"),
    "chart.legend_open": ("待消除", "Still open"),
    "chart.empty": ("暂无数据", "No data yet"),
    "section.chain": ("产业提升链条", "The uplift chain"),
    "chart.funnel": ("产业提升项目所处阶段", "Industry programmes by stage"),
    "funnel.now": ("当前 {n}", "{n} now"),
    "funnel.reached": ("已到达 {n}", "{n} reached"),
    "section.cases": ("召回案件", "Recall cases"),
    "chart.cases_by_stage": ("召回案件所处阶段", "Recall cases by stage"),
    "section.standards": ("已发布标准（按类型）", "Standards published, by kind"),
    "table.show": ("查看数据表", "Show the table"),
    "table.csv": ("下载 CSV", "Download CSV"),
    "col.figure": ("指标", "Figure"),
    "col.value": ("数值", "Value"),
    "col.code": ("代码", "Code"),
    "col.name": ("名称", "Name"),
    "col.month": ("月份", "Month"),
    "col.eliminated": ("已消除", "Eliminated"),
    "col.open": ("待消除", "Still open"),
    "col.open_by_month": ("待消除（按发现月份）", "Still open (month identified)"),
    "col.stage": ("阶段", "Stage"),
    "col.now": ("当前处于", "At this stage now"),
    "col.reached": ("已到达", "Reached"),
    "col.count": ("数量", "Count"),
    "col.kind": ("类型", "Kind"),
    "col.number": ("召回编号", "Number"),
    "col.title": ("标题", "Title"),
    "col.region": ("行政区划", "Region"),
    "col.industry": ("产业", "Industry"),
    "col.overdue": ("逾期", "Overdue"),
    "col.correction_rate": ("召回完成率", "Correction rate"),
    "col.since": ("自", "Since"),
    "col.cases": ("案件数", "Cases"),
    "col.at": ("时间", "When"),
    "col.event": ("事项", "Event"),
    "col.actor": ("经办", "By"),
    "col.note": ("说明", "Note"),
    "col.category": ("类别", "Category"),
    "col.status": ("状态", "Status"),
    "col.eliminated_at": ("消除时间", "Eliminated at"),
    "col.enterprise": ("企业", "Enterprise"),
    "timeline.by": ("经办：{actor}", "By {actor}"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # signed-in lists
    "section.my_cases": ("我可查看的案件", "Cases I may see"),
    "section.my_programmes": ("我可查看的产业提升项目", "Programmes I may see"),
    "list.empty": ("暂无", "None"),
    "list.more": ("仅显示前 {n} 条", "Showing the first {n}"),
    # case and programme pages
    "case.heading": ("召回案件 {number}", "Recall case {number}"),
    "case.progress": ("案件进程", "Where the case stands"),
    "case.facts": ("案件信息", "The case"),
    "case.risk": ("风险等级", "Risk level"),
    "case.decision": ("处理决定", "Decision"),
    "case.units": ("涉及数量", "Units affected"),
    "case.remedy": ("召回方式", "Remedy"),
    "case.hazards": ("安全隐患", "Hazards"),
    "case.timeline": ("里程碑", "Timeline of milestones"),
    "case.programme": ("所属产业提升项目", "Industry programme"),
    "programme.heading": ("产业提升项目", "Industry programme"),
    "programme.chain": ("链条进度", "Where it stands in the chain"),
    "programme.since": ("当前阶段：{stage}，自 {since}", "Now at {stage}, since {since}"),
    "programme.members": ("关联对象", "Linked"),
    "programme.associations": ("行业协会", "Associations"),
    "programme.standards": ("标准", "Standards"),
    "programme.cultivations": ("品牌培育企业", "Brand cultivations"),
    "programme.timeline": ("里程碑", "Timeline of milestones"),
    "not_found.title": ("未找到", "Not found"),
    "not_found.text": (
        "没有这个页面，或您无权查看。如需查看自己的案件，请先登录。",
        "There is no such page, or you may not see it. Sign in to see your own cases.",
    ),
    # sign-in
    "signin.expired": ("登录已失效，请重新登录。", "Your session has ended; please sign in again."),
    # roles
    "role.admin": ("管理员", "admin"),
    "role.regulator": ("监管部门", "regulator"),
    "role.enterprise": ("企业", "enterprise"),
    "role.association": ("行业协会", "association"),
    # recall-case stages
    "case_stage.reported": ("已报告", "Reported"),
    "case_stage.assessed": ("已评估", "Assessed"),
    "case_stage.closed_no_recall": ("不予召回结案", "Closed, no recall"),
    "case_stage.recall_planned": ("已制定召回计划", "Recall planned"),
    "case_stage.remediating": ("召回实施中", "Remediating"),
    "case_stage.verified": ("已核查", "Verified"),
    "case_stage.closed": ("已结案", "Closed"),
    # programme stages
    "programme_stage.hazard_elimination": ("消除安全隐患", "Hazard elimination"),
    "programme_stage.association_formation": ("成立行业协会", "Association formation"),
    "programme_stage.standard_drafting": ("制定标准", "Standard drafting"),
    "programme_stage.brand_cultivation": ("品牌培育", "Brand cultivation"),
    "programme_stage.completed": ("已完成", "Completed"),
    "stage_status.pending": ("未开始", "pending"),
    "stage_status.open": ("进行中", "open"),
    "stage_status.complete": ("已完成", "complete"),
    "stage_status.waived": ("已豁免", "waived"),
    # standards
    "standard_kind.group": ("团体标准", "Group standards"),
    "standard_kind.industry": ("行业标准", "Industry standards"),
    "standard_kind.zhejiang_made": ("“浙江制造”标准", "“Zhejiang Made” standards"),
    "standard_kind.local": ("地方标准", "Local standards"),
    "standard_kind.national": ("国家标准", "National standards"),
    "standard_kind_short.group": ("团体标准", "Group"),
    "standard_kind_short.industry": ("行业标准", "Industry"),
    "standard_kind_short.zhejiang_made": ("“浙江制造”标准", "“Zhejiang Made”"),
    "standard_kind_short.local": ("地方标准", "Local"),
    "standard_kind_short.national": ("国家标准", "National"),
    # hazard categories and statuses
    "category.ingestion": ("误吞", "Ingestion"),
    "category.burn": ("烫伤/烧伤", "Burn"),
    "category.electric_shock": ("触电", "Electric shock"),
    "category.entrapment": ("夹持/卡困", "Entrapment"),
    "category.choking": ("噎塞", "Choking"),
    "category.chemical": ("化学危害", "Chemical"),
    "category.fire": ("火灾", "Fire"),
    "category.laceration": ("割伤", "Laceration"),
    "category.fall": ("跌落", "Fall"),
    "category.strangulation": ("勒颈", "Strangulation"),
    "category.suffocation": ("窒息", "Suffocation"),
    "category.injury": ("人身伤害", "Injury"),
    "category.other": ("其他", "Other"),
    "hazard_status.identified": ("待消除", "identified"),
    "hazard_status.eliminated": ("已消除", "eliminated"),
    "hazard_status.verified": ("已核查", "verified"),
    "hazard_status.reopened": ("重新打开", "reopened"),
    # decisions, remedies, risk levels
    "decision.voluntary_recall": ("主动召回", "Voluntary recall"),
    "decision.ordered_recall": ("责令召回", "Ordered recall"),
    "decision.no_recall": ("不予召回", "No recall"),
    "remedy.repair": ("维修", "repair"),
    "remedy.replace": ("更换", "replace"),
    "remedy.refund": ("退货退款", "refund"),
    "remedy.destroy": ("销毁", "destroy"),
    "remedy.warning": ("警示", "warning"),
    "risk.serious": ("严重风险", "serious"),
    "risk.high": ("高风险", "high"),
    "risk.medium": ("中风险", "medium"),
    "risk.low": ("低风险", "low"),
    # milestone kinds
    "note.case_opened": ("立案", "case opened"),
    "note.sep": ("：", ": "),
    "note.hazard": ("{who}（{category}）", "{who} ({category})"),
    "note.assessed": (
        "风险等级：{level}（伤害严重程度 {severity}，发生概率 {probability}）",
        "risk {level} (severity {severity}, probability {probability})",
    ),
    "note.overridden": (
        "；矩阵得出{computed}，已调整，理由：{reason}",
        "; the matrix gave {computed}, overridden: {reason}",
    ),
    "note.plan": ("{remedy}，涉及 {units} 件：", "{remedy}, {units} units: "),
    "note.progress": ("已召回 {units} 件（{rate}）", "{units} units corrected ({rate})"),
    "milestone.reported": ("立案", "Case opened"),
    "milestone.assessed": ("风险评估", "Risk assessed"),
    "milestone.decided": ("作出处理决定", "Decision made"),
    "milestone.plan_submitted": ("提交召回计划", "Plan submitted"),
    "milestone.plan_accepted": ("召回计划通过", "Plan accepted"),
    "milestone.hazard_identified": ("发现安全隐患", "Hazard identified"),
    "milestone.hazard_eliminated": ("消除安全隐患", "Hazard eliminated"),
    "milestone.progress_reported": ("报送召回进度", "Progress reported"),
    "milestone.verified": ("核查通过", "Verified"),
    "milestone.closed": ("结案", "Closed"),
    "milestone.overdue": ("逾期", "Overdue"),
    "milestone.notification_failed": ("通知发送失败", "Notification failed"),
    "milestone.started": ("项目启动", "Programme started"),
    "milestone.stage_opened": ("阶段开启", "Stage opened"),
    "milestone.stage_complete": ("阶段完成", "Stage complete"),
    "milestone.stage_waived": ("阶段豁免", "Stage waived"),
    "milestone.stage_waiver": ("申请豁免阶段", "Stage waiver"),
    "milestone.completed": ("链条完成", "Chain completed"),
    "milestone.case_linked": ("关联案件", "Case linked"),
    "milestone.association_linked": ("关联行业协会", "Association linked"),
    "milestone.standard_linked": ("关联标准", "Standard linked"),
    "milestone.cultivation_linked": ("关联品牌培育", "Brand cultivation linked"),
}

# The labels of the other page families, kept beside their pages.
CATALOGUE.update(ACCOUNT_LABELS)
CATALOGUE.update(DESK_LABELS)
CATALOGUE.update(STANDARD_LABELS)
CATALOGUE.update(CHAIN_LABELS)
CATALOGUE.update(NOTICE_LABELS)


def lang_of(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


class Labels:
    """The catalogue in one language: labels(key, **values), labels.code(group, code)."""

    def __init__(self, lang: str):
        self.lang = lang_of(lang)
        self._index = LANGS.index(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        entry = CATALOGUE.get(key)
        if entry is None:
            return key
        text = entry[self._index]
        return text.format(**values) if values else text

    def knows(self, group: str, code: str) -> bool:
        return f"{group}.{code}" in CATALOGUE

    def code(self, group: str, code: str | None) -> str:
        """A domain code in words ("case_stage", "remediating" -> 召回实施中)."""
        if not code:
            return ""
        entry = CATALOGUE.get(f"{group}.{code}")
        return entry[self._index] if entry else code.replace("_", " ")
