"""What a handler gets for one inbound message, and how it answers.

A handler reads ``ctx.inbound``, ``ctx.user`` and ``ctx.state``, changes them, and calls
``ctx.reply`` / ``ctx.notify``. Nothing is sent from here: the pipeline saves the state and
turns replies and notifications into outbox rows in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.messages import Button, Capabilities, Document, Inbound, Outbound
from handlers.ports import (
    AuditStore,
    BroadcastStore,
    InviteStore,
    LinkStore,
    PlaceStore,
    ProductStore,
    ProgressStore,
    SubmissionStore,
    UserStore,
)
from storage.conversations import ConversationState
from storage.models import Identity, User
from storage.scope import rights_of

CHOICES_KEY = "_choices"  # the buttons last offered, so typed numbers and labels map to them
STACK_KEY = "_stack"  # conversations interrupted by another (e.g. /toi during onboarding)
RIGHTS_KEY = "_rights"  # the user's rights when the conversation started (handlers/rights.py)
IDLE_FLOW = "idle"  # no conversation in progress, only buttons outstanding


@dataclass
class Stores:
    users: UserStore
    places: PlaceStore
    invites: InviteStore
    audit: AuditStore
    submissions: SubmissionStore
    products: ProductStore
    progress: ProgressStore
    broadcasts: BroadcastStore
    links: LinkStore


@dataclass(frozen=True)
class HandlerConfig:
    """The few settings handlers need; passed in, never read from the environment here."""

    admin_identities: frozenset[tuple[str, str]] = frozenset()
    default_language: str = "vi"
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    # "https://t.me/<bot>?start={code}" once the Telegram channel knows its bot's name.
    invite_link: str | None = None
    # What each channel of this process can show, by channel name (filled as the runtime
    # adds its channels): a question asks to press a button only where there is one.
    displays: Mapping[str, Capabilities] = field(default_factory=dict)
    # The web dashboard's address (OCOP_PUBLIC_URL or the local HTTP server) once it is
    # served; None: ``/web`` says there is no dashboard.
    web_url: str | None = None
    # The port the dashboard could not listen on, when another program (a second ocop-bot)
    # held it: ``/web`` says so rather than that there is no dashboard.
    web_port_taken: int | None = None


Compose = Callable[[Translator], Outbound]


@dataclass
class Notification:
    """A message to another user, composed in that user's language when it is queued."""

    user: User
    compose: Compose
    dedupe_key: str | None = None
    # The messenger to use; None: the one they used last (``Users.delivery_identity``).
    # Linking two messengers confirms on the one that asked for the code.
    via: Identity | None = None


@dataclass(frozen=True)
class Job:
    """Work a handler asks for that must not run inside the message's transaction (an
    export can take seconds); the runtime runs it after the commit and sends its result
    through the outbox."""

    kind: str
    params: dict
    user_id: int
    channel: str
    address: str
    language: str


@dataclass
class Context:
    inbound: Inbound
    user: User
    identity: Identity
    state: ConversationState | None
    stores: Stores
    config: HandlerConfig
    now: datetime
    replies: list[Outbound] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    # The choices of the latest notification the user got (an admin's "needs fixing", an
    # approval request, a reminder) when nothing was said to them since: a typed number or
    # label answers it first (handlers/router.py). Filled by the pipeline (storage/offers.py).
    notice: list[Button] = field(default_factory=list)

    @property
    def tr(self) -> Translator:
        return Translator(self.user.language)

    @property
    def display(self) -> Capabilities:
        """What the messenger this message came from can show (none of it if unknown)."""
        return self.config.displays.get(self.inbound.channel, Capabilities())

    def t(self, message: str, /, **params: object) -> str:
        return self.tr.t(message, **params)

    def tn(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        return self.tr.tn(singular, plural, n, **params)

    # -- answering -------------------------------------------------------------------------

    def reply(
        self,
        text: str,
        *,
        buttons: Sequence[Sequence[Button]] = (),
        request_contact: str | None = None,
        remove_keyboard: bool = False,
        document: Document | None = None,
    ) -> None:
        """Queue a reply; buttons become the choices a typed number or label may pick."""
        rows = [list(row) for row in buttons]
        self.replies.append(
            Outbound(
                text=text,
                buttons=rows,
                request_contact=request_contact,
                remove_keyboard=remove_keyboard,
                document=document,
                language=self.user.language,
            )
        )
        if rows:
            self.offer([b for row in rows for b in row])

    def later(self, kind: str, **params: object) -> None:
        """Run ``kind`` after this message is committed; its result comes back to this chat."""
        self.jobs.append(
            Job(
                kind,
                dict(params),
                self.user.id,
                self.identity.channel,
                self.identity.external_id,
                self.user.language,
            )
        )

    def notify(
        self,
        user: User,
        compose: Compose,
        *,
        dedupe_key: str | None = None,
        via: Identity | None = None,
    ) -> None:
        self.notifications.append(Notification(user, compose, dedupe_key, via))

    # -- conversation state ----------------------------------------------------------------

    def offer(self, choices: Sequence[Button]) -> None:
        state = self.state or ConversationState(flow=IDLE_FLOW, step="")
        state.data[CHOICES_KEY] = [[b.label, b.payload] for b in choices]
        self.state = state

    def offered(self) -> list[Button]:
        if self.state is None:
            return []
        return [Button(label=lb, payload=p) for lb, p in self.state.data.get(CHOICES_KEY, [])]

    def clear_offer(self) -> None:
        if self.state is not None:
            self.state.data.pop(CHOICES_KEY, None)
            if self.state.flow == IDLE_FLOW and not self.state.data:
                self.state = None

    @property
    def in_conversation(self) -> bool:
        return self.state is not None and self.state.flow != IDLE_FLOW

    def begin(self, flow: str, step: str, data: dict | None = None) -> None:
        """Start a flow; one already in progress is kept underneath and resumed after.

        The user's rights now are kept with it, so every later step can check that storage
        still says the same (``handlers/rights.py``)."""
        stack: list = []
        if self.in_conversation:
            assert self.state is not None
            previous = {k: v for k, v in self.state.data.items() if k != CHOICES_KEY}
            stack = [
                *previous.pop(STACK_KEY, []),
                {"flow": self.state.flow, "step": self.state.step, "data": previous},
            ]
        self.state = ConversationState(flow=flow, step=step, data=dict(data or {}))
        self.state.data[RIGHTS_KEY] = rights_of(self.user)
        if stack:
            self.state.data[STACK_KEY] = stack

    def finish(self) -> ConversationState | None:
        """End the current flow; returns the interrupted one, now current again, if any."""
        stack = list(self.state.data.get(STACK_KEY, [])) if self.state else []
        if not stack:
            self.state = None
            return None
        top = stack.pop()
        data = dict(top["data"])
        if stack:
            data[STACK_KEY] = stack
        self.state = ConversationState(flow=top["flow"], step=top["step"], data=data)
        return self.state

    def goto(self, step: str) -> None:
        assert self.state is not None
        self.state.step = step
        self.state.data.pop(CHOICES_KEY, None)

    @property
    def data(self) -> dict:
        assert self.state is not None
        return self.state.data
