"""Labels of the login page, the account menu, the roles and the refusal pages (dashboard/auth.py)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "login.title": ("Đăng nhập", "Sign in"),
    "login.lead": (
        "Hệ thống giám sát giải quyết thủ tục hành chính theo cơ chế một cửa.",
        "Supervision of administrative procedures handled through the one-stop mechanism.",
    ),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.button": ("Đăng nhập", "Sign in"),
    "login.error.failed": (
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "The username or the password is wrong.",
    ),
    "login.error.locked": (
        "Tài khoản tạm khóa {minutes} phút do nhập sai mật khẩu nhiều lần. "
        "Hãy thử lại sau hoặc liên hệ quản trị viên.",
        "The account is locked for {minutes} minutes after repeated wrong passwords. "
        "Try again later or ask the administrator.",
    ),
    "login.error.throttled": (
        "Quá nhiều lần đăng nhập sai từ địa chỉ này. Hãy thử lại sau ít phút.",
        "Too many failed sign-ins from this address. Try again in a few minutes.",
    ),
    "login.error.origin": (
        "Yêu cầu đăng nhập không đến từ trang này nên đã bị từ chối.",
        "The sign-in request did not come from this site and was refused.",
    ),
    "login.error.outage": (
        "Không kết nối được cơ sở dữ liệu nên chưa đăng nhập được. Hãy thử lại sau ít phút.",
        "The database cannot be reached, so nobody can sign in now. Try again in a few minutes.",
    ),
    "login.demo.title": ("Tài khoản dùng thử", "Demo accounts"),
    "login.demo.lead": (
        "Cơ sở dữ liệu này là tỉnh mẫu. Mọi tài khoản dưới đây dùng mật khẩu {password}.",
        "This database is the demo province. Every account below uses the password {password}.",
    ),
    "login.demo.role": ("Vai trò", "Role"),
    "nav.logout": ("Đăng xuất", "Sign out"),
    "nav.audit": ("Nhật ký truy cập", "Audit trail"),
    "role.admin": ("Quản trị viên", "Administrator"),
    "role.supervisor": ("Giám sát cấp tỉnh", "Provincial supervisor"),
    "role.chair": ("Chủ tịch UBND xã", "Commune chairperson"),
    "role.vice_chair": ("Phó Chủ tịch UBND xã", "Commune vice-chairperson"),
    "role.official": ("Cán bộ, công chức", "Official"),
    "denied.title": ("Không có quyền xem", "Not allowed"),
    "denied.home": ("Về trang của bạn", "Back to your page"),
    "denied.what.unit": ("một đơn vị khác", "another unit"),
    "denied.what.sector": ("một lĩnh vực khác", "another sector"),
    "denied.what.dossier": (
        "hồ sơ do người khác thụ lý hoặc của đơn vị khác",
        "a dossier of someone else or another unit",
    ),
    "denied.what.official": ("một cán bộ khác", "another official"),
    "denied.what.page": ("trang dành cho quản trị viên", "a page for administrators"),
    "denied.body": (
        "Nội dung này nằm ngoài phạm vi tài khoản của bạn ({what}). Không có dữ liệu nào được hiển thị.",
        "This is outside your account's scope ({what}). Nothing of it is shown.",
    ),
}
