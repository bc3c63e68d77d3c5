"""Every word an alert says, in Vietnamese and English, in one place for reviewers to edit.

Messages leave the province's network (Telegram, Slack, e-mail providers), so they carry the
dossier code, procedure, unit, due date and a link, never the applicant's personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "due_soon.title": "Sắp đến hạn: hồ sơ {code}",
        "due_soon.lead": "Hồ sơ {code} sắp đến hạn trả kết quả.",
        "overdue.title": "Quá hạn: hồ sơ {code}",
        "overdue.lead": "Hồ sơ {code} đã quá hạn trả kết quả.",
        "apology_missing.title": "Quá hạn chưa có văn bản xin lỗi: hồ sơ {code}",
        "apology_missing.lead": (
            "Hồ sơ {code} quá hạn đã hơn {days} ngày làm việc mà chưa có văn bản xin lỗi và hẹn lại "
            "ngày trả kết quả (Mẫu 04)."
        ),
        "overdue_long.title": "Quá hạn kéo dài: hồ sơ {code}",
        "overdue_long.lead": "Hồ sơ {code} quá hạn kéo dài, cần cấp tỉnh theo dõi và đôn đốc.",
        "step_late.title": "Bước xử lý quá hạn: hồ sơ {code}",
        "step_late.lead": "Bước «{step}» của hồ sơ {code} đã quá thời hạn của bước.",
        "reason.unacknowledged": "Cảnh báo gửi {who} lúc {sent} chưa được xác nhận.",
        "reason.channel_broken": "Không gửi được cảnh báo tới {who}: kênh nhận thông báo bị lỗi.",
        "reason.no_channel": "{who} chưa đăng ký kênh nhận thông báo.",
        "reason.no_recipient": "Cấp dưới không có người nhận cảnh báo này nên cảnh báo được gửi tới Anh/Chị.",
        "forwarded": "Chuyển tiếp: {title}",
        "procedure": "Thủ tục: {name}",
        "unit": "Đơn vị: {name}",
        "due": "Hạn trả kết quả: {due}",
        "remaining": "Còn lại: {days} ngày làm việc",
        "late": "Đã quá hạn: {days} ngày làm việc",
        "step_due": "Hạn của bước: {due}",
        "ack": "Xác nhận đã nhận: {url}",
        "open": "Xem hồ sơ: {url}",
        "ref": "Mã cảnh báo: #{id}",
        "digest.title": "Hồ sơ cần chú ý ngày {day}: {overdue} quá hạn, {soon} sắp đến hạn",
        "digest.lead": "Kính gửi {name}, danh sách hồ sơ cần chú ý đầu ngày làm việc:",
        "digest.overdue": "Quá hạn ({count}):",
        "digest.soon": "Sắp đến hạn ({count}):",
        "digest.item": "- {code} | {procedure} | hạn {due} | {when}",
        "digest.item_late": "quá {days} ngày",
        "digest.item_left": "còn {days} ngày",
        "digest.more": "... và {count} hồ sơ khác",
        "digest.no_letter": "Trong đó {count} hồ sơ quá hạn chưa có văn bản xin lỗi (Mẫu 04).",
        "digest.open": "Xem đầy đủ: {url}",
        "weekly.title": "Tổng hợp tuần {week}: {count} đơn vị giảm tỷ lệ đúng hạn",
        "weekly.lead": "Các đơn vị có tỷ lệ giải quyết đúng hạn giảm so với tuần trước:",
        "weekly.item": "- {unit}: {before} → {after} ({resolved} hồ sơ đã giải quyết, {overdue} quá hạn)",
        "weekly.none": "Không có đơn vị nào giảm tỷ lệ đúng hạn so với tuần trước.",
        "weekly.more": "... và {count} đơn vị khác",
        "weekly.open": "Xem bảng xếp hạng: {url}",
        "quality.title": "Dữ liệu cần bổ sung: {count} hồ sơ không tính được hạn tại {unit}",
        "quality.lead": (
            "{count} hồ sơ đang mở không tính được thời hạn (thiếu thủ tục hoặc thời điểm tiếp nhận), "
            "nên không được cảnh báo:"
        ),
        "quality.open": "Xem danh sách: {url}",
        "broken.title": "Kênh thông báo hỏng: {who}",
        "broken.lead": "Kênh {url} của {who} bị từ chối vĩnh viễn: {error}",
        "broken.next": "Cảnh báo của người này được chuyển lên cấp trên cho đến khi kênh được sửa.",
    },
    "en": {
        "due_soon.title": "Due soon: dossier {code}",
        "due_soon.lead": "Dossier {code} is about to reach its due date.",
        "overdue.title": "Overdue: dossier {code}",
        "overdue.lead": "Dossier {code} is past its due date.",
        "apology_missing.title": "Overdue with no apology letter: dossier {code}",
        "apology_missing.lead": (
            "Dossier {code} has been overdue more than {days} working days with no apology letter and new "
            "appointment (form 04)."
        ),
        "overdue_long.title": "Long overdue: dossier {code}",
        "overdue_long.lead": "Dossier {code} has been overdue for long and needs the province to follow up.",
        "step_late.title": "Step overdue: dossier {code}",
        "step_late.lead": "The step “{step}” of dossier {code} is past its own time limit.",
        "reason.unacknowledged": "The alert sent to {who} at {sent} was not acknowledged.",
        "reason.channel_broken": "The alert could not reach {who}: their notification channel fails.",
        "reason.no_channel": "{who} has no notification channel registered.",
        "reason.no_recipient": "Nobody at the level below can receive this alert, so it comes to you.",
        "forwarded": "Forwarded: {title}",
        "procedure": "Procedure: {name}",
        "unit": "Unit: {name}",
        "due": "Due: {due}",
        "remaining": "Left: {days} working days",
        "late": "Overdue by: {days} working days",
        "step_due": "Step due: {due}",
        "ack": "Acknowledge: {url}",
        "open": "Open the dossier: {url}",
        "ref": "Alert id: #{id}",
        "digest.title": "Dossiers to watch on {day}: {overdue} overdue, {soon} due soon",
        "digest.lead": "Dear {name}, the dossiers that need attention this working morning:",
        "digest.overdue": "Overdue ({count}):",
        "digest.soon": "Due soon ({count}):",
        "digest.item": "- {code} | {procedure} | due {due} | {when}",
        "digest.item_late": "{days} days late",
        "digest.item_left": "{days} days left",
        "digest.more": "... and {count} more",
        "digest.no_letter": "{count} of the overdue dossiers have no apology letter (form 04).",
        "digest.open": "See them all: {url}",
        "weekly.title": "Week {week}: {count} units with a falling on-time rate",
        "weekly.lead": "Units whose on-time rate fell compared with the week before:",
        "weekly.item": "- {unit}: {before} → {after} ({resolved} resolved, {overdue} overdue now)",
        "weekly.none": "No unit's on-time rate fell compared with the week before.",
        "weekly.more": "... and {count} more units",
        "weekly.open": "See the ranking: {url}",
        "quality.title": "Data to complete: {count} dossiers at {unit} cannot be clocked",
        "quality.lead": (
            "{count} open dossiers have no time limit the clock can compute (no procedure or no receipt "
            "time), so they get no alerts:"
        ),
        "quality.open": "See the list: {url}",
        "broken.title": "Notification channel broken: {who}",
        "broken.lead": "The channel {url} of {who} was refused for good: {error}",
        "broken.next": "Their alerts go one level up until the channel is fixed.",
    },
}

STEP_NAMES = {
    "vi": {
        "reception": "tiếp nhận",
        "transfer": "chuyển hồ sơ",
        "appraisal": "thẩm định",
        "approval": "phê duyệt",
        "return": "trả kết quả",
    },
    "en": {
        "reception": "reception",
        "transfer": "transfer",
        "appraisal": "appraisal",
        "approval": "approval",
        "return": "return of result",
    },
}

DIGEST_LINES = 15  # a digest lists this many dossiers per group, then "and N more"


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def say(lang: str, key: str, **values: object) -> str:
    return TEXT[lang if lang in TEXT else "vi"][key].format(**values)


def days(lang: str, value: float) -> str:
    """Working days to one decimal, with the decimal comma in Vietnamese."""
    text = f"{abs(value):.1f}".removesuffix(".0")
    return text.replace(".", ",") if lang == "vi" else text


def when(moment: datetime) -> str:
    """A due date as people read it: the day alone for end-of-day dues, else with the time."""
    if (moment.hour, moment.minute) == (23, 59):
        return moment.strftime("%d/%m/%Y")
    return moment.strftime("%H:%M %d/%m/%Y")


@dataclass(frozen=True)
class DossierFacts:
    """What one dossier alert reports; no personal data of the applicant."""

    rule: str
    code: str
    procedure: str
    unit: str
    due: datetime
    remaining_days: float  # negative once overdue
    apology_after_days: float = 1.0
    step: str | None = None
    reason: str | None = None  # why it reached this recipient: unacknowledged, channel_broken, ...
    about: str | None = None  # whom the reason is about
    about_sent: datetime | None = None


def dossier_message(lang: str, facts: DossierFacts, *, dossier_url: str) -> Message:
    late = days(lang, -facts.remaining_days)
    step = STEP_NAMES.get(lang, STEP_NAMES["vi"]).get(facts.step or "", facts.step or "")
    lead = say(
        lang,
        f"{facts.rule}.lead",
        code=facts.code,
        days=days(lang, facts.apology_after_days),
        late=late,
        step=step,
    )
    lines = [lead]
    if facts.reason:
        sent = facts.about_sent.strftime("%H:%M %d/%m") if facts.about_sent else ""
        lines.append(say(lang, f"reason.{facts.reason}", who=facts.about or "", sent=sent))
    lines += [say(lang, "procedure", name=facts.procedure), say(lang, "unit", name=facts.unit)]
    if facts.rule == "step_late":
        lines.append(say(lang, "step_due", due=when(facts.due)))
    else:
        lines.append(say(lang, "due", due=when(facts.due)))
        if facts.remaining_days < 0:
            lines.append(say(lang, "late", days=late))
        else:
            lines.append(say(lang, "remaining", days=days(lang, facts.remaining_days)))
    lines.append(say(lang, "open", url=dossier_url))
    return Message(say(lang, f"{facts.rule}.title", code=facts.code), "\n".join(lines))


@dataclass(frozen=True)
class DigestItem:
    code: str
    procedure: str
    due: datetime
    remaining_days: float
    has_apology: bool


def digest_message(lang: str, *, name: str, day: datetime, items: Sequence[DigestItem], link: str) -> Message:
    overdue = sorted(
        (item for item in items if item.remaining_days < 0), key=lambda item: item.remaining_days
    )
    soon = sorted((item for item in items if item.remaining_days >= 0), key=lambda item: item.remaining_days)
    lines = [say(lang, "digest.lead", name=name)]
    for key, group in (("digest.overdue", overdue), ("digest.soon", soon)):
        if not group:
            continue
        lines += ["", say(lang, key, count=len(group))]
        for item in group[:DIGEST_LINES]:
            state = "digest.item_late" if item.remaining_days < 0 else "digest.item_left"
            remaining = say(lang, state, days=days(lang, item.remaining_days))
            lines.append(
                say(
                    lang,
                    "digest.item",
                    code=item.code,
                    procedure=item.procedure,
                    due=when(item.due),
                    when=remaining,
                )
            )
        if len(group) > DIGEST_LINES:
            lines.append(say(lang, "digest.more", count=len(group) - DIGEST_LINES))
    missing = sum(1 for item in overdue if not item.has_apology)
    if missing:
        lines += ["", say(lang, "digest.no_letter", count=missing)]
    lines += ["", say(lang, "digest.open", url=link)]
    title = say(lang, "digest.title", day=day.strftime("%d/%m/%Y"), overdue=len(overdue), soon=len(soon))
    return Message(title, "\n".join(lines))


@dataclass(frozen=True)
class UnitChange:
    unit: str
    before: float | None
    after: float | None
    resolved: int
    overdue: int


def percent(lang: str, value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:.1f}%"
    return text.replace(".", ",") if lang == "vi" else text


def weekly_message(lang: str, *, week: str, changes: Sequence[UnitChange], link: str) -> Message:
    lines = [say(lang, "weekly.lead") if changes else say(lang, "weekly.none")]
    for change in changes[:DIGEST_LINES]:
        lines.append(
            say(
                lang,
                "weekly.item",
                unit=change.unit,
                before=percent(lang, change.before),
                after=percent(lang, change.after),
                resolved=change.resolved,
                overdue=change.overdue,
            )
        )
    if len(changes) > DIGEST_LINES:
        lines.append(say(lang, "weekly.more", count=len(changes) - DIGEST_LINES))
    lines += ["", say(lang, "weekly.open", url=link)]
    return Message(say(lang, "weekly.title", week=week, count=len(changes)), "\n".join(lines))


def quality_message(lang: str, *, unit: str, codes: Sequence[str], link: str) -> Message:
    lines = [say(lang, "quality.lead", count=len(codes))]
    lines += [f"- {code}" for code in codes[:DIGEST_LINES]]
    if len(codes) > DIGEST_LINES:
        lines.append(say(lang, "digest.more", count=len(codes) - DIGEST_LINES))
    lines += ["", say(lang, "quality.open", url=link)]
    return Message(say(lang, "quality.title", count=len(codes), unit=unit), "\n".join(lines))


def broken_message(lang: str, *, who: str, url: str, error: str) -> Message:
    body = "\n".join([say(lang, "broken.lead", who=who, url=url, error=error), say(lang, "broken.next")])
    return Message(say(lang, "broken.title", who=who), body)


def with_footer(lang: str, message: Message, *, ack_url: str, alert_id: int) -> Message:
    """Every message ends with its acknowledgement link and the alert id (a receiver's dedupe key)."""
    footer = [say(lang, "ack", url=ack_url), say(lang, "ref", id=alert_id)]
    return Message(message.title, "\n".join([message.body, "", *footer]))
