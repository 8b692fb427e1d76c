"""Labels of the sign-in, account and admin pages: key -> (中文, English)."""

LABELS: dict[str, tuple[str, str]] = {
    # page furniture (base.html's nav)
    "nav.workbench": ("工作台", "Workbench"),
    "nav.accounts": ("账户管理", "Accounts"),
    # signing in
    "login.title": ("登录", "Sign in"),
    "login.help": (
        "请使用管理员为您开设的账户登录。",
        "Sign in with the account an administrator made for you.",
    ),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.refused": ("用户名或密码不正确。", "The username or password is not right."),
    "login.missing": ("请输入用户名和密码。", "Enter your username and password."),
    "login.locked": (
        "登录失败次数过多，请于 {until}（北京时间）后再试。",
        "Too many failed sign-ins: try again after {until} (China Standard Time).",
    ),
    "login.csrf": (
        "登录表单已过期，请重新输入后再提交。",
        "The sign-in form had expired: enter your details and send it again.",
    ),
    "login.signed_out": ("您已退出登录。", "You have signed out."),
    "login.ended": ("登录已失效，请重新登录。", "Your session has ended; please sign in again."),
    # refusals
    "refused.title": ("无法办理", "Not allowed"),
    "refused.admin_only": ("仅管理员可管理账户。", "Only an administrator manages accounts."),
    "refused.csrf": (
        "表单已过期或并非从本站页面提交，未作任何更改。请刷新页面后重试。",
        "The form had expired or was not sent from this site's page; nothing was changed. "
        "Load the page again and retry.",
    ),
    "refused.back": ("返回", "Back"),
    # the admin page of accounts
    "accounts.title": ("账户管理", "Accounts"),
    "accounts.list": ("全部账户", "All accounts"),
    "accounts.create": ("新建账户", "New account"),
    "accounts.create_submit": ("创建账户", "Create the account"),
    "accounts.username_hint": (
        "1–64 个字符：英文字母、数字、点、下划线或连字符",
        "1–64 characters: letters, digits, '.', '_' or '-'",
    ),
    "accounts.password_hint": (
        "10–200 个字符，不含控制字符",
        "10 to 200 characters, no control characters",
    ),
    "accounts.scope_hint": (
        "监管部门选择一个或多个行政区划；企业填写企业编号；行业协会填写协会编号。",
        "A regulator: one or more regions; an enterprise: its enterprise id; "
        "an association: its association id.",
    ),
    "accounts.none": ("—", "—"),
    "accounts.col.username": ("用户名", "Username"),
    "accounts.col.name": ("姓名", "Name"),
    "accounts.col.role": ("角色", "Role"),
    "accounts.col.scope": ("范围", "Scope"),
    "accounts.col.created": ("创建时间", "Created"),
    "accounts.col.password_changed": ("密码修改时间", "Password changed"),
    "accounts.col.state": ("状态", "State"),
    "accounts.col.acts": ("操作", "Acts"),
    "accounts.active": ("正常", "active"),
    "accounts.disabled": ("已停用", "disabled"),
    "accounts.disable": ("停用", "Disable"),
    "accounts.reset": ("重设密码", "Reset the password"),
    "accounts.new_password": ("新密码", "New password"),
    "accounts.field.username": ("用户名", "Username"),
    "accounts.field.name": ("姓名", "Name"),
    "accounts.field.role": ("角色", "Role"),
    "accounts.field.region": ("行政区划", "Regions"),
    "accounts.field.enterprise": ("企业编号", "Enterprise id"),
    "accounts.field.association": ("协会编号", "Association id"),
    "accounts.field.password": ("初始密码", "Initial password"),
    "accounts.done.created": ("已创建账户 {username}。", "Account {username} created."),
    "accounts.done.disabled": (
        "已停用账户 {username}，其登录会话已全部结束。",
        "Account {username} disabled; its sessions have ended.",
    ),
    "accounts.done.reset": (
        "已为 {username} 设置新密码，其登录会话已全部结束。",
        "New password set for {username}; its sessions have ended.",
    ),
    "accounts.self_disable": (
        "不能停用自己正在使用的账户。",
        "You cannot disable the account you are signed in with.",
    ),
    # why a form was refused, by the field at fault (English shows the detail itself)
    "accounts.invalid.username": (
        "用户名须为 1–64 个字符，仅限英文字母、数字、点、下划线或连字符。",
        "",
    ),
    "accounts.taken.username": ("该用户名已被使用。", ""),
    "accounts.invalid.password": ("密码须为 10–200 个字符，且不含控制字符。", ""),
    "accounts.invalid.role": ("请选择角色。", ""),
    "accounts.invalid.name": ("请填写姓名（不超过 188 个字符，不含控制字符）。", ""),
    "accounts.invalid.region": (
        "监管部门须选择至少一个已有的行政区划；其他角色不选行政区划。",
        "",
    ),
    "accounts.invalid.enterprise": (
        "企业账户须填写一个已有的企业编号；其他角色不填。",
        "",
    ),
    "accounts.invalid.association": (
        "行业协会账户须填写一个已有的协会编号；其他角色不填。",
        "",
    ),
}
