"""Labels of the chain's pages (programme, association, brand cultivation): key -> (中文, English).

Stage names of associations and cultivations, the acts and fields of their forms, and the notes
the workflows write in English, put in the reader's words (recall.desk.chain_notes)."""

LABELS: dict[str, tuple[str, str]] = {
    # association stages (DOMAIN.md): proposed -> 筹备 -> 章程通过 -> 登记成立
    "association_stage.proposed": ("拟成立", "Proposed"),
    "association_stage.preparing": ("筹备", "Preparing"),
    "association_stage.charter_adopted": ("章程通过", "Charter adopted"),
    "association_stage.registered": ("登记成立", "Registered"),
    # brand-cultivation stages: 梯度培育库 -> 诊断 -> 提升 -> 申请认证 -> 获证 -> 贴标
    "cultivation_stage.enrolled": ("入库培育", "Enrolled"),
    "cultivation_stage.diagnosed": ("诊断", "Diagnosed"),
    "cultivation_stage.improving": ("提升", "Improving"),
    "cultivation_stage.certification_applied": ("申请认证", "Certification applied"),
    "cultivation_stage.certified": ("获证", "Certified"),
    "cultivation_stage.labelled": ("贴标（四个100%）", "Labelled (the four 100%)"),
    # acts (data-action names; link_association, create_association and enrol_cultivation
    # are this application's names: the contract's list has none for them)
    "act.start_programme": ("启动产业提升项目", "Start an industry programme"),
    "act.waive_stage": ("豁免阶段", "Waive a stage"),
    "act.link_association": ("关联已有行业协会", "Link an existing association"),
    "act.create_association": ("成立行业协会", "Form an association"),
    "act.enrol_cultivation": ("纳入品牌培育", "Enrol in brand cultivation"),
    # fields (the API's names)
    "field.industry_code": ("产业", "Industry"),
    "field.case_ids": ("召回案件", "Recall cases"),
    "field.stage": ("阶段", "Stage"),
    "field.association_id": ("行业协会", "Association"),
    "field.name": ("名称", "Name"),
    "field.founding_enterprise_ids": ("发起企业", "Founding enterprises"),
    "field.programme_id": ("产业提升项目", "Industry programme"),
    "field.tier": ("培育梯度", "Tier"),
    "field.registration_no": ("登记证号（统一社会信用代码）", "Registration no. (credit code)"),
    "field.certificate_no": ("证书编号", "Certificate no."),
    # the pages
    "chain.programme_title": ("项目名称", "Programme title"),
    "chain.association_name": ("协会名称", "Association name"),
    "chain.programme_of_case": (
        "本案件尚未纳入产业提升项目：可由本案件（及同一产业的其他案件）启动一个。",
        "This case is in no industry programme yet: start one from it (and other cases of "
        "its industry).",
    ),
    "chain.since": ("自 {at}", "since {at}"),
    "chain.until": ("至 {at}", "until {at}"),
    "chain.waived_because": ("豁免理由：{reason}", "Waived: {reason}"),
    "chain.none_visible": ("暂无（或无权查看）", "None (or none you may see)"),
    "chain.hidden": ("另有 {n} 项您无权查看", "{n} more you may not see"),
    "chain.next_step": ("进入下一阶段", "Take the next step"),
    "chain.next_is": ("下一阶段：{stage}", "Next: {stage}"),
    "chain.last_stage": ("已到最后阶段。", "This is the last stage."),
    "chain.association": ("行业协会", "Industry association"),
    "chain.association_facts": ("协会信息", "The association"),
    "chain.status": ("状态", "Status"),
    "chain.founders": ("发起企业", "Founding enterprises"),
    "chain.registration_no": ("登记证号", "Registration no."),
    "chain.registered_at": ("登记日期", "Registered on"),
    "chain.drafts": ("起草的标准", "Standards it drafts"),
    "chain.programmes": ("所属产业提升项目", "Industry programmes"),
    "chain.association_progress": ("协会成立进程", "Where the association stands"),
    "chain.cultivation": ("品字标培育", "Brand cultivation (品字标)"),
    "chain.cultivation_facts": ("培育信息", "The cultivation"),
    "chain.cultivation_progress": ("培育进程", "Where the cultivation stands"),
    "chain.enterprise": ("企业", "Enterprise"),
    "chain.certificate_no": ("证书编号", "Certificate no."),
    "chain.certified_at": ("获证日期", "Certified on"),
    "chain.timeline": ("里程碑", "Timeline of milestones"),
    "chain.hint.registration_no": (
        "社会团体的统一社会信用代码：18 位，以 51 开头（民政登记、社会团体），末位为校验码",
        "a social organisation's unified social credit code: 18 characters starting 51 "
        "(civil affairs, social organisation), the last a check character",
    ),
    "chain.hint.certificate_no": ("获证时必填", "required to certify"),
    "chain.hint.waive": (
        "豁免的阶段视为完成；尚未开始的阶段在开始时即完成。",
        "A waived stage counts as done; one not open yet is done when it opens.",
    ),
    "chain.hint.tier": ("例如：重点培育", "e.g. key cultivation"),
    "chain.hint.cases": (
        "同一产业、尚未纳入项目、您所辖区域内的案件",
        "cases of the industry, in no programme yet, of your regions",
    ),
    # milestones of associations and cultivations beside their stage names
    "milestone.linked": ("纳入产业提升项目", "Linked to a programme"),
    # notes the workflows write, in the reader's words
    "chain.note.founded": ("{name}：发起企业 {n} 家", "{name}: {n} founding members"),
    "chain.note.registered": ("登记证号 {no}", "registration no. {no}"),
    "chain.note.enrolled": (
        "{enterprise} 纳入“{programme}”梯度培育库",
        "{enterprise} enrolled in the cultivation pool of “{programme}”",
    ),
    "chain.note.tier": ("，培育梯度：{tier}", ", tier: {tier}"),
    "chain.note.certified": ("证书编号 {no}", "certificate no. {no}"),
    "chain.note.labelled": (
        "加施“品字标浙江制造”标识：落实“四个100%”（产品标识、厂区展示、广告宣传）和品字码质量承诺",
        "“品字标浙江制造” labelled: the “four 100%” practice (product labelling, plant display, "
        "advertising) and the 品字码 quality commitment code",
    ),
    "chain.note.linked": ("纳入产业提升项目“{programme}”", "linked to the programme “{programme}”"),
    "chain.note.started": ("由 {n} 件召回案件启动", "started from {n} case(s)"),
    "chain.note.completed": ("整个链条已完成", "the whole chain is done"),
}
