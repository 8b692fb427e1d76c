"""Labels of the standard's workspace and the public comment form: key -> (中文, English)."""

from recall.rules.standard_rules import STAGES

LABELS: dict[str, tuple[str, str]] = {
    # stage codes with their names (the group-standard names of DOMAIN.md beside them)
    **{
        f"standard_stage.{code}": (f"{code} {zh}", f"{code} {en}")
        for code, (en, zh) in STAGES.items()
    },
    # acts (data-action names)
    "act.transition": ("变更阶段", "Move to a stage"),
    "act.comment": ("提交意见", "Comment"),
    "act.dispose_comment": ("记录处理意见", "Record the disposition"),
    "act.ballot": ("记录表决结果", "Record the ballot"),
    # fields (the API's names)
    "field.to": ("目标阶段", "To stage"),
    "field.comment_period_days": ("征求意见期（天）", "Comment period (days)"),
    "field.author": ("提出人", "Name"),
    "field.organisation": ("单位", "Organisation"),
    "field.clause": ("章条编号", "Clause"),
    "field.text": ("意见内容", "Comment"),
    "field.disposition": ("处理意见", "Disposition"),
    "field.comment_id": ("意见", "Comment"),
    "field.voter": ("表决人", "Voter"),
    "field.vote": ("表决意见", "Vote"),
    "field.votes": ("表决票", "Votes"),
    "disposition.accepted": ("采纳", "accepted"),
    "disposition.partially_accepted": ("部分采纳", "partially accepted"),
    "disposition.rejected": ("不采纳", "rejected"),
    "vote.approve": ("赞成", "approve"),
    "vote.disapprove": ("反对", "disapprove"),
    "vote.abstain": ("弃权", "abstain"),
    # the workspace
    "std.workspace": ("标准工作台", "Standard workspace"),
    "std.progress": ("标准制定进程", "Where the standard stands"),
    "std.withdrawn": ("本标准已撤销（95.99）。", "This standard is withdrawn (95.99)."),
    "std.facts": ("标准信息", "The standard"),
    "std.kind": ("标准类型", "Kind"),
    "std.stage": ("当前阶段", "Stage"),
    "std.drafting_association": ("起草单位", "Drafting association"),
    "std.drafters": ("起草人（不参加表决）", "Drafters (they do not vote)"),
    "std.programme": ("所属产业提升项目", "Industry programme"),
    "std.published_at": ("发布时间", "Published"),
    "std.public_page": ("公开征求意见页面", "Public comment page"),
    "std.period": ("征求意见期", "Public comment period"),
    "std.period_ends": ("截止时间", "Ends"),
    "std.length_days": ("共 {n} 天", "{n} days"),
    "std.length_hours": ("共 {n} 小时", "{n} hours"),
    "std.length_minutes": ("共 {n} 分钟", "{n} minutes"),
    "std.length_seconds": ("共 {n} 秒", "{n} seconds"),
    "std.period_not_open": ("尚未开始公开征求意见。", "Public comment has not opened yet."),
    "std.period_ended": ("征求意见已于 {at} 截止。", "Public comment ended at {at}."),
    "std.period_withdrawn": ("标准已撤销，不再征求意见。", "The standard is withdrawn."),
    "std.left_days": ("剩余约 {n} 天", "about {n} days left"),
    "std.left_hours": ("剩余约 {n} 小时", "about {n} hours left"),
    "std.left_minutes": ("剩余约 {n} 分钟", "about {n} minutes left"),
    "std.period_over": ("已到截止时间", "the period is over"),
    "std.log": ("意见汇总处理表", "Comment log (意见汇总处理表)"),
    "std.log_csv": ("下载 CSV", "Download CSV"),
    "std.log_table": ("打印版意见汇总处理表", "Printable committee table"),
    "std.undisposed": ("尚有 {n} 条意见未处理", "{n} comment(s) without a disposition"),
    "std.col.number": ("序号", "No."),
    "std.col.clause": ("章条编号", "Clause"),
    "std.col.text": ("意见内容", "Comment"),
    "std.col.from": ("提出单位/人", "From (organisation / person)"),
    "std.col.author": ("提出人", "Author"),
    "std.col.organisation": ("提出单位", "Organisation"),
    "std.col.disposition": ("处理意见", "Disposition"),
    "std.col.disposition_kinds": ("采纳/部分采纳/不采纳", "accepted / partially / rejected"),
    "std.col.reason": ("理由", "Reason"),
    "std.col.received": ("收到时间", "Received"),
    "std.col.disposed": ("处理时间", "Disposed"),
    "std.col.act": ("处理", "Dispose"),
    "std.hint.closes_itself": (
        "征求意见期结束时自动进入 40.60，不能提前截止。",
        "Comments close by themselves (40.60) when the period ends; closing early is refused.",
    ),
    "std.hint.undisposed": (
        "进入 50.20 审查前须处理全部意见（尚有 {n} 条未处理）。",
        "Every comment needs a disposition before 50.20 technical review ({n} without one).",
    ),
    "std.hint.ballot": (
        "进入 50.60 批准须有通过的审查表决。",
        "Approval (50.60) needs a review ballot that passed.",
    ),
    "std.hint.period_days": (
        "仅在进入 40.20 时填写；留空为 30 天，可填小数（0.5 为 12 小时）",
        "only with 40.20; empty means 30 days; fractions allowed (0.5 is twelve hours)",
    ),
    "std.hint.reason": (
        "部分采纳、不采纳须写明理由",
        "a reason is needed for partially accepted and rejected",
    ),
    "std.hint.votes": (
        "每行一名表决人；空行不计。起草人不参加表决。",
        "One voter a row; empty rows are skipped. Drafters do not vote.",
    ),
    "std.ballot": ("审查表决", "Review ballot"),
    "std.rule": (
        "通过条件：赞成票不少于所投票数（赞成 + 反对，弃权不计）的 3/4。",
        "It passes with approvals of at least 3/4 of the votes cast (approve + disapprove; "
        "abstentions are not cast).",
    ),
    "std.last_ballot": (
        "最近一次表决（{at}）：赞成 {approve}，反对 {disapprove}，弃权 {abstain}；"
        "赞成票占所投票数 {approve}/{cast}（{share}）：{outcome}",
        "Last ballot ({at}): {approve} approve, {disapprove} disapprove, {abstain} abstain; "
        "approvals {approve} of {cast} cast ({share}): {outcome}",
    ),
    "std.no_ballot": ("尚无表决记录。", "No ballot yet."),
    "std.passed": ("通过", "passed"),
    "std.not_passed": ("未通过", "not passed"),
    "std.timeline": ("里程碑", "Timeline of milestones"),
    # the committee's printable table
    "std.table.title": ("意见汇总处理表", "Comment log"),
    "std.table.meta": (
        "{kind} · {stage} · 共 {n} 条意见 · 打印时间 {at}",
        "{kind} · {stage} · {n} comment(s) · printed {at}",
    ),
    "std.table.back": ("返回标准工作台", "Back to the workspace"),
    "std.table.print_hint": (
        "使用浏览器的“打印”即可得到纸质表格。",
        "Use the browser's Print to have it on paper.",
    ),
    # the public comment form
    "pub.title": ("公开征求意见", "Public comment"),
    "pub.intro": (
        "欢迎对本标准征求意见稿提出意见，请尽量注明章条编号。您填写的姓名和单位将出现在意见汇总处理表中，"
        "本系统不记录您的其他个人信息。",
        "Comments on this draft standard are welcome; please name the clause. The name and "
        "organisation you give appear in the comment log; nothing else about you is recorded.",
    ),
    "pub.ends": ("征求意见截止：", "Comments close: "),
    "pub.submit": ("提交意见", "Send the comment"),
    "pub.sent": (
        "您的意见已收到，谢谢！起草单位将逐条处理，并在意见汇总处理表中给出处理意见。",
        "Your comment was received, thank you. The drafters will give each comment a "
        "disposition in the comment log.",
    ),
    "pub.another": ("可以继续提交其他意见。", "You may send another comment."),
    "pub.not_open": (
        "本标准尚未开始公开征求意见。",
        "Public comment on this standard has not opened yet.",
    ),
    "pub.closed": (
        "本标准的公开征求意见已于 {at} 截止。",
        "Public comment on this standard ended at {at}.",
    ),
    "pub.withdrawn": (
        "本标准已撤销，不再征求意见。",
        "This standard is withdrawn; it takes no comments.",
    ),
    "pub.csrf": (
        "表单已过期或并非从本站页面提交，请重新提交。",
        "The form was out of date or not sent from this site's page; please send it again.",
    ),
    "pub.too_many": (
        "提交过于频繁：同一网络地址 {minutes} 分钟内最多提交 {n} 条意见，请于 {at} 后再试。",
        "Too many comments: at most {n} from one address in {minutes} minutes; try again "
        "after {at}.",
    ),
    "pub.rule.author": ("必填，不超过 200 字。", "required, at most 200 characters."),
    "pub.rule.organisation": ("不超过 200 字。", "at most 200 characters."),
    "pub.rule.clause": ("不超过 100 字。", "at most 100 characters."),
    "pub.rule.text": ("必填，不超过 1000 字。", "required, at most 1,000 characters."),
    # milestones of a standard
    "milestone.proposed": ("提出提案", "Proposed"),
    "milestone.project_approved": ("立项", "Project approved"),
    "milestone.drafting_started": ("开始起草", "Drafting started"),
    "milestone.public_comment_opened": ("公开征求意见", "Public comment opened"),
    "milestone.comments_closed": ("征求意见截止", "Comments closed"),
    "milestone.review_started": ("技术审查", "Technical review started"),
    "milestone.approved": ("批准", "Approved"),
    "milestone.published": ("发布", "Published"),
    "milestone.withdrawn": ("撤销", "Withdrawn"),
    "milestone.comment_received": ("收到意见", "Comment received"),
    "milestone.comment_disposed": ("处理意见", "Comment disposed"),
    "milestone.ballot_recorded": ("记录表决结果", "Ballot recorded"),
    "std.published_reference": ("发布文本", "Published text"),
    # milestone notes (recall/desk/standard_notes.py)
    "snote.proposed": ("{kind}：{title}", "{kind}: {title}"),
    "snote.period": (
        "公开征求意见 {days} 天，至 {until}",
        "public comment for {days} days, until {until}",
    ),
    "snote.closed": (
        "征求意见于 {at} 截止，共收到 {n} 条意见",
        "public comment ended at {at}; {n} comment(s)",
    ),
    "snote.comment": ("{author} 提出的意见", "a comment from {author}"),
    "snote.clause": ("（第 {clause} 条）", " on clause {clause}"),
    "snote.ballot": (
        "赞成 {a}，反对 {d}，弃权 {x}：",
        "{a} approve, {d} disapprove, {x} abstain: ",
    ),
    "snote.passed": ("通过", "passed"),
    "snote.failed": ("未通过", "not passed"),
}
