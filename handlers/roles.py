"""Role names and what each role can do, as users read them."""

from __future__ import annotations

from bot.i18n import N_, Translator
from forms.registry import FORMS
from storage.models import Role, User, UserStatus

ROLE_LABELS = {
    Role.PRODUCER: N_("Producer (cooperative, enterprise, household)"),
    Role.OFFICER: N_("Commune OCOP officer"),
    Role.PROVINCE_ADMIN: N_("Province admin"),
    Role.NATIONAL_ADMIN: N_("National admin"),
}

STATUS_LABELS = {
    UserStatus.NEW: N_("not registered"),
    UserStatus.PENDING: N_("waiting for approval"),
    UserStatus.ACTIVE: N_("active"),
    UserStatus.REJECTED: N_("not approved"),
    UserStatus.DISABLED: N_("disabled"),
    UserStatus.ERASED: N_("data deleted"),
}


def role_label(tr: Translator, role: str | None) -> str:
    return tr.t(ROLE_LABELS[Role(role)]) if role else "—"


def capabilities(tr: Translator, user: User) -> str:
    """The lines of /help and the welcome: only what this user can really do now."""
    t = tr.t
    lines: list[str] = []
    if user.status == UserStatus.PENDING:
        lines.append(
            t(
                "Your registration as a commune officer is waiting for an admin's "
                "approval. You will get a message when it is approved."
            )
        )
    elif user.status == UserStatus.REJECTED:
        lines.append(
            t(
                "Your registration was not approved. Contact your province's OCOP "
                "office, or type /start to register again."
            )
        )
    elif user.status == UserStatus.ACTIVE and user.role == Role.PRODUCER:
        lines.append(
            t(
                "As a producer you can: /dangky register a product idea, /trangthai "
                "follow your products, /baocaothang send the monthly production report."
            )
        )
    elif user.status == UserStatus.ACTIVE and user.role == Role.OFFICER:
        lines.append(
            t(
                "As a commune officer you can: /baocao send (or correct) your commune's "
                "periodic OCOP report, /xem YT-… move a product idea of your commune along "
                "the OCOP cycle. You are told when a producer of your commune registers a "
                "product idea."
            )
        )
    elif user.is_admin:
        lines.append(
            t(
                "As an admin you can: /duyet approve officers, /tiendo see who has "
                "reported, /xem RECEIPT read a report and send it back for fixing (or "
                "/xem YT-… a product idea along the OCOP cycle), /thongbao send an "
                "announcement, /xuat export to Excel, /lich deadlines and reminders, /moi "
                "create an invite code, /nguoidung list users, /web sign in to the web "
                "dashboard."
            )
        )
    if user.status == UserStatus.ACTIVE and user.role in (Role.OFFICER, Role.PRODUCER):
        imported = imported_forms(tr, Role(user.role))
        if imported:
            lines.append(t("You can also send: {forms}.", forms=imported))
    lines.append(
        t(
            "Commands: /toi your profile, /dulieu your personal data (see or delete it), "
            "/lienket use Telegram and Zalo together, /ngonngu language, /huy cancel what is "
            "in progress, /help this help."
        )
    )
    return "\n".join(lines)


def imported_forms(tr: Translator, role: Role) -> str:
    """The forms imported from XLSForm workbooks (``version`` set) that ``role`` files, as
    their command and title: ``/baocaotinh “Báo cáo OCOP của xã (tỉnh)”``. The built-in
    ones are in the role's own sentence; these come and go with ``ocop-bot forms import``,
    so they are read from the forms in use each time."""
    audience = "officer" if role == Role.OFFICER else "producer"
    forms = sorted(
        (f for f in FORMS.values() if f.version is not None and f.audience == audience),
        key=lambda f: f.commands[0],
    )
    return "; ".join(
        f"/{f.commands[0]} " + tr.t("“{title}”", title=f.title(tr.language).strip()) for f in forms
    )
