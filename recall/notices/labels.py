"""Labels of the public recall notice pages: key -> (中文, English)."""

LABELS: dict[str, tuple[str, str]] = {
    "nav.recalls": ("召回公告", "Recall notices"),
    # the list
    "notice.heading": ("产品召回公告", "Product recall notices"),
    "notice.intro": (
        "召回计划已获监管部门通过的产品召回，最新发布的在前。如您持有下列产品，"
        "请按“您应当怎么做”处理。",
        "Recalls whose plan the regulator has accepted, newest first. If you own one of these "
        "products, please do what it says under “What you should do”.",
    ),
    "notice.search": ("产品或企业名称", "Product or enterprise name"),
    "notice.search_button": ("搜索", "Search"),
    "notice.none": ("没有符合条件的召回公告。", "No recall notice matches."),
    "notice.next": ("下一页", "Next page"),
    "notice.first": ("回到第一页", "Back to the first page"),
    "notice.open": ("查看公告", "Read the notice"),
    "notice.feed": ("订阅召回公告（Atom）", "Subscribe to the notices (Atom feed)"),
    # one notice
    "notice.eyebrow": ("召回公告 {number}", "Recall notice {number}"),
    "notice.all": ("全部召回公告", "All recall notices"),
    "notice.facts": ("召回概况", "The recall"),
    "notice.product": ("产品", "Product"),
    "notice.enterprises": ("生产企业", "Enterprises"),
    "notice.hazard": ("缺陷与危害", "The defect and the hazard"),
    "notice.remedy": ("召回措施", "Remedy"),
    "notice.what_to_do": ("您应当怎么做", "What you should do"),
    "notice.units": ("涉及产品数量", "Units affected"),
    "notice.units_value": ("{n} 件", "{n} units"),
    "notice.correction_rate": ("召回完成率", "Correction rate"),
    "notice.not_reported": ("尚未报送", "not reported yet"),
    "notice.published": ("发布时间", "Published"),
    "notice.updated": ("更新时间", "Updated"),
    "notice.feed_title": ("产品召回公告", "Product recall notices"),
    "notice.feed_author": ("市场监督管理部门", "Market regulator"),
    # the hazard in plain words
    "notice.decision_words": ("{decision}。", "{decision}."),
    "notice.risk_words": ("风险等级：{level}。", "Risk level: {level}."),
    "notice.hazards_words": ("安全隐患：{hazards}。", "Hazards: {hazards}."),
    "notice.hazard_item": ("{category}（{description}）", "{category} ({description})"),
    "notice.hazard_sep": ("；", "; "),
    "notice.no_hazard": ("待监管部门列明", "to be itemised by the regulator"),
    "notice.join": ("", " "),
    # the remedy, and what a consumer should do
    "notice.remedy.repair": ("免费维修", "Free repair"),
    "notice.remedy.replace": ("免费更换", "Free replacement"),
    "notice.remedy.refund": ("退货退款", "Return for a refund"),
    "notice.remedy.destroy": ("销毁", "Destruction"),
    "notice.remedy.warning": ("发布安全警示", "Safety warning"),
    "notice.what_to_do.repair": (
        "请立即停止使用该产品，并联系生产企业免费维修。",
        "Stop using the product now and contact the enterprise for a free repair.",
    ),
    "notice.what_to_do.replace": (
        "请立即停止使用该产品，并联系生产企业免费更换。",
        "Stop using the product now and contact the enterprise for a free replacement.",
    ),
    "notice.what_to_do.refund": (
        "请立即停止使用该产品，并联系生产企业或销售者退货退款。",
        "Stop using the product now and contact the enterprise or the seller to return it "
        "for a refund.",
    ),
    "notice.what_to_do.destroy": (
        "请立即停止使用该产品，不要转卖或赠送他人，并联系生产企业了解销毁方式和补偿办法。",
        "Stop using the product now, do not sell or give it away, and contact the enterprise "
        "to learn how to dispose of it and how you are compensated.",
    ),
    "notice.what_to_do.warning": (
        "请阅读并遵守生产企业发布的安全警示，按说明使用该产品；如有疑问，请联系生产企业。",
        "Read and follow the enterprise's safety warning and use the product only as it says; "
        "contact the enterprise with any question.",
    ),
}
