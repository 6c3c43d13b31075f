"""Replay a readable dialogue through the real pipeline, handlers and storage.

A transcript is a text file that someone who knows OCOP but not Python can read::

    # Title and comments start with '#'
    @an                         who speaks next (console user id); default: an
    @an on zalo                 ...on another messenger (telegram, zalo): the same person's
                                second messenger is a second identity, until it is linked
    > /start                    the user types a line
    > [Tiếng Việt]              the user presses the button with this label
    > (contact +84912345678)    the user shares their own contact; (contact other ...) someone else's
    > (photo) (sticker) (location 21.03 105.85) (document plan.pdf) (blocked)
    > (nfd Lạng Sơn)            typed on a keyboard that sends decomposed (NFD) Unicode
    > (repeat)                  the messenger delivers the previous message a second time
    > <10000 x a>               a 10,000-character message
    < Chào mừng                 the next message to this user contains this text
    < [Tiếng Việt] [English]    ...and offered exactly these buttons
    < (file báo_cáo.xlsx)       ...and carried this file
    < Mã liên kết: {?code}      ...and keep the word at {?code} (letters, digits) as {code},
                                for the lines below (a code the bot made up, to type back)
    -- text only --             from here on no messenger shows buttons (as the console and
                                Zalo): '<' lines match what the user reads (choices as numbered
                                lines, "Trả lời 1 hoặc 2"), and '>' types numbers or labels
    -- restart --               the bot stops and starts again on the same database
    -- session --               the user opens the chat again (as the console does at start)
    -- today is 10/06/2024 --   the bot's clock (Vietnam time, 09:00) from here on
    -- officer an: Cao Lộc, Lạng Sơn --   a registered, approved officer (name "Officer an")
    -- producer hoa: Cao Lộc, Lạng Sơn -- a registered producer; "with a product" adds one
    -- producer hoa on zalo: ... --      ...known on that messenger (default: the console)
    -- province admin thu: Lạng Sơn --    a province admin ("Admin thu"); "national admin"
                                          takes no place
    -- invite CODE for officer: Cao Lộc, Lạng Sơn, until 25/05/2024 --   a single-use invite
    -- invite CODE is revoked --          an admin revoked it (there is no command for it yet)

Every message the bot sends must be matched by a ``<`` line, in order: nothing is left
unchecked. Texts match ignoring spacing; ``...`` inside a ``<`` line stands for anything.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.channels.base import Capabilities
from bot.messages import Contact, FileRef, Inbound, InboundKind, Location, Outbound
from bot.render import numbered_text
from bot.settings import Settings
from storage.models import Invite, Product, ProductStatus, Role, UserStatus
from storage.places import Places
from storage.users import Users

CHANNEL = "console"
# Messengers a transcript can speak on (``@an on zalo``); each records what it is sent.
CHANNELS = (CHANNEL, "telegram", "zalo")
TEXT_ONLY = Capabilities(buttons=False, request_contact=False, documents=True)


class RecordingChannel:
    """A channel that keeps what it is asked to send, per address."""

    capabilities = Capabilities(buttons=True, request_contact=True, documents=True)

    def __init__(self, name: str = CHANNEL) -> None:
        self.name = name
        self.inbox: dict[str, list[Outbound]] = {}

    async def send(self, address: str, message: Outbound) -> None:
        self.inbox.setdefault(address, []).append(message)


@dataclass
class Replay:
    """The state of one replay: the app (rebuilt on restart) and who speaks."""

    settings: Settings
    app: App | None = None
    channels: dict[str, RecordingChannel] = field(
        default_factory=lambda: {name: RecordingChannel(name) for name in CHANNELS}
    )
    speaker: str = "an"
    on: str = CHANNEL  # the messenger the speaker writes on
    previous: Outbound | None = None  # the message the last '<' line matched
    keyboards: list[Outbound] = field(default_factory=list)  # messages with buttons, oldest first

    today: datetime | None = None
    text_only: bool = False  # '-- text only --': what a messenger without buttons shows

    def read(self, message: Outbound) -> str:
        """What the user reads of ``message`` on the transcript's messengers."""
        return numbered_text(message) if self.text_only else message.text

    async def start(self) -> None:
        self.app = App(self.settings)
        await self.app.prepare()
        self.sender = self.app.sender(dict(self.channels))
        if self.today is not None:
            self.app.pipeline.clock = lambda: self.today  # type: ignore[assignment,return-value]

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.close()
            self.app = None

    async def send(self, inbound: Inbound) -> None:
        assert self.app is not None
        await self.app.pipeline.process(inbound)
        await self.app.pipeline.idle()  # work started after the commit (an export)
        await self.sender.drain()

    def pending(self) -> list[Outbound]:
        return self.channels[self.on].inbox.setdefault(self.speaker, [])


def _norm(text: str) -> str:
    return " ".join(text.split())


def _matches(expected: str, actual: str) -> dict[str, str] | None:
    """None if ``actual`` does not match; else the words kept by ``{?name}`` markers."""
    parts = [re.escape(_norm(p)) for p in expected.split("...")]
    pattern = re.sub(r"\\\{\\\?(\w+)\\\}", r"(?P<\1>\\w+)", ".*".join(parts))
    found = re.search(pattern, _norm(actual), re.S)
    return found.groupdict() if found is not None else None


def _inbound(
    speaker: str, line: str, offered: list[tuple[str, str]], channel: str = CHANNEL
) -> Inbound:
    base = {"channel": channel, "user_id": speaker, "message_id": uuid.uuid4().hex}
    button = re.fullmatch(r"\[(.+)\]", line)
    if button:
        label = button.group(1)
        payloads = [p for lbl, p in offered if lbl == label]
        if not payloads:
            raise AssertionError(f"no button [{label}] offered; offered: {offered}")
        return Inbound(**base, kind=InboundKind.BUTTON, payload=payloads[0])
    special = re.fullmatch(r"\((\w+)\s*(.*)\)", line)
    if special:
        kind, arg = special.group(1), special.group(2).strip()
        if kind == "contact":
            other = arg.startswith("other ")
            phone = arg.removeprefix("other ").strip()
            return Inbound(
                **base, kind=InboundKind.CONTACT, contact=Contact(phone=phone, is_own=not other)
            )
        if kind == "location":
            lat, lon = (float(x) for x in arg.split())
            return Inbound(
                **base, kind=InboundKind.LOCATION, location=Location(latitude=lat, longitude=lon)
            )
        if kind == "photo":
            return Inbound(**base, kind=InboundKind.PHOTO, file=FileRef(file_id="photo-1"))
        if kind == "document":
            return Inbound(
                **base,
                kind=InboundKind.DOCUMENT,
                file=FileRef(file_id="doc-1", name=arg or "file.pdf"),
            )
        if kind == "nfd":  # typed on a keyboard that sends decomposed Unicode
            return Inbound(**base, kind=InboundKind.TEXT, text=unicodedata.normalize("NFD", arg))
        if kind == "blocked":
            return Inbound(**base, kind=InboundKind.BLOCKED)
        if kind in ("sticker", "voice", "video"):
            return Inbound(**base, kind=InboundKind.UNSUPPORTED)
        if kind == "repeat":  # the platform delivers the previous message again
            raise AssertionError("(repeat) is handled by the runner")
        raise AssertionError(f"unknown action ({kind})")
    text = line.replace("\\n", "\n")
    long = re.fullmatch(r"<(\d+) x (.)>", text)
    if long:
        text = long.group(2) * int(long.group(1))
    return Inbound(**base, kind=InboundKind.TEXT, text=text)


async def replay(path: Path, settings: Settings, variables: dict[str, str] | None = None) -> None:
    """Run a transcript file; raises AssertionError naming the line that did not hold.

    ``{name}`` in the file is replaced by ``variables[name]`` (e.g. an invite code).
    """
    run = Replay(settings)
    variables = dict(variables or {})
    await run.start()
    last_inbound: Inbound | None = None
    lines = (await asyncio.to_thread(path.read_text, encoding="utf-8")).splitlines()
    try:
        for number, raw in enumerate(lines, 1):
            line = raw.strip()
            for name, value in variables.items():
                line = line.replace("{" + name + "}", value)
            where = f"{path.name}:{number}: {line}"
            if not line or line.startswith("#"):
                continue
            if line.startswith("@"):
                _check_all_seen(run, where)
                who = re.fullmatch(r"@(\S+)(?: on (\w+))?", line)
                if who is None or (who.group(2) or CHANNEL) not in run.channels:
                    raise AssertionError(f"{where}\n  speakers write on one of {CHANNELS}")
                run.speaker, run.on = who.group(1), who.group(2) or CHANNEL
                run.previous = None
                run.keyboards = []
            elif line == "-- text only --":
                run.text_only = True
                for channel in run.channels.values():
                    channel.capabilities = TEXT_ONLY
                await run.stop()  # the conversations learn what the messengers show
                await run.start()
            elif line == "-- restart --":
                _check_all_seen(run, where)
                await run.stop()
                await run.start()
            elif line == "-- session --":
                _check_all_seen(run, where)
                await run.send(
                    Inbound(
                        channel=run.on,
                        user_id=run.speaker,
                        message_id=uuid.uuid4().hex,
                        kind=InboundKind.SESSION,
                    )
                )
            elif given := re.fullmatch(r"-- (.+) --", line):
                _check_all_seen(run, where)
                await _given(run, given.group(1), where)
            elif line.startswith(">"):
                _check_all_seen(run, where)
                said = line[1:].strip()
                # The newest message's buttons first; an old message's button may be pressed too.
                offered = [
                    (b.label, b.payload) for m in reversed(run.keyboards) for b in m.choices()
                ]
                if said == "(repeat)":
                    assert last_inbound is not None, where
                    inbound = last_inbound
                elif run.text_only and re.fullmatch(r"\[.+\]", said):
                    raise AssertionError(f"{where}\n  no buttons here: type the number or label")
                else:
                    inbound = _inbound(run.speaker, said, offered, run.on)
                last_inbound = inbound
                await run.send(inbound)
            elif line.startswith("<"):
                expected = line[1:].strip()
                attached = re.fullmatch(r"\(file (.+)\)", expected)
                if attached:
                    document = run.previous.document if run.previous else None
                    name = document.filename if document else None
                    assert name == attached.group(1), f"{where}\n  the file was: {name}"
                    continue
                buttons = re.fullmatch(r"(\[[^\]]+\]\s*)+", expected)
                if buttons:
                    labels = re.findall(r"\[([^\]]+)\]", expected)
                    actual = [b.label for b in run.previous.choices()] if run.previous else []
                    assert actual == labels, f"{where}\n  buttons were: {actual}"
                    continue
                queue = run.pending()
                assert queue, f"{where}\n  the bot sent nothing more to {run.speaker}"
                message = queue.pop(0)
                shown = run.read(message)
                kept = _matches(expected, shown)
                assert kept is not None, (
                    f"{where}\n  the bot said instead:\n    " + shown.replace("\n", "\n    ")
                )
                variables.update(kept)
                run.previous = message
                if message.choices():
                    run.keyboards.append(message)
            else:
                raise AssertionError(f"{where}\n  cannot read this line")
        _check_all_seen(run, f"{path.name}: end")
    finally:
        await run.stop()


def _check_all_seen(run: Replay, where: str) -> None:
    left = run.pending()
    assert not left, f"{where}\n  unchecked message(s) to {run.speaker}:\n    " + "\n    ".join(
        m.text.replace("\n", "\n    ") for m in left
    )


async def _given(run: Replay, statement: str, where: str) -> None:
    """Set the scene without replaying it: the clock, or users who registered earlier."""
    assert run.app is not None
    day = re.fullmatch(r"today is (\d{1,2})/(\d{1,2})/(\d{4})", statement)
    if day:
        d, m, y = (int(x) for x in day.groups())
        run.today = datetime(y, m, d, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        run.app.pipeline.clock = lambda: run.today  # type: ignore[assignment,return-value]
        return
    if statement.startswith("invite "):
        await _given_invite(run, statement[len("invite ") :], where)
        return
    person = re.fullmatch(
        r"(officer|producer|province admin|national admin) (\w+)(?: on (\w+))?(?:: (.+?))?"
        r"( with a product)?",
        statement,
    )
    if not person:
        raise AssertionError(f"{where}\n  cannot read this scene")
    role, name, channel, place, product = person.groups()
    roles = {
        "officer": Role.OFFICER,
        "producer": Role.PRODUCER,
        "province admin": Role.PROVINCE_ADMIN,
        "national admin": Role.NATIONAL_ADMIN,
    }
    async with run.app.session_factory() as session, session.begin():
        places = Places(session)
        province = commune = None
        if place:
            *commune_name, province_name = [part.strip() for part in place.split(",")]
            province = (await places.search_provinces(province_name))[0]
            if commune_name:
                commune = (await places.search_communes(province.code, commune_name[0]))[0]
        user, _identity = await Users(session).create_with_identity(
            channel or CHANNEL, name, language="vi"
        )
        user.role = roles[role]
        user.status = UserStatus.ACTIVE
        user.full_name = f"{role.split()[-1].capitalize()} {name}"
        user.phone = "+8491234" + f"{sum(map(ord, name)) % 10000:04d}"
        user.province_code = province.code if province else None
        user.commune_code = commune.code if commune else None
        user.consent_at = datetime.now(ZoneInfo("UTC"))
        if product:
            session.add(
                Product(
                    user_id=user.id,
                    province_code=province.code,
                    commune_code=commune.code,
                    name="Mật ong bạc hà",
                    status=ProductStatus.CERTIFIED,
                    stars=4,
                )
            )


async def _given_invite(run: Replay, statement: str, where: str) -> None:
    """``CODE for officer|producer: commune, province, until DD/MM/YYYY`` or ``CODE is revoked``."""
    assert run.app is not None
    revoked = re.fullmatch(r"(\w+) is revoked", statement)
    made = re.fullmatch(
        r"(\w+) for (officer|producer): (.+?), (.+?), until (\d{1,2})/(\d{1,2})/(\d{4})", statement
    )
    async with run.app.session_factory() as session, session.begin():
        if revoked:
            invite = await session.get(Invite, revoked.group(1))
            assert invite is not None, f"{where}\n  no such invite"
            invite.revoked = True
            return
        if not made:
            raise AssertionError(f"{where}\n  cannot read this scene")
        code, role, commune_name, province_name, d, m, y = made.groups()
        places = Places(session)
        province = (await places.search_provinces(province_name))[0]
        commune = (await places.search_communes(province.code, commune_name))[0]
        end_of_day = datetime(int(y), int(m), int(d), 23, 59, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        session.add(
            Invite(
                code=code,
                role=Role.OFFICER if role == "officer" else Role.PRODUCER,
                province_code=province.code,
                commune_code=commune.code,
                expires_at=end_of_day,
                max_uses=1,
                uses=0,
                revoked=False,
            )
        )
