"""Faults a test injects: errors, stalls, seeded chaos, blocked users, rate limits.

Faults aim at the user-visible methods (:data:`ACTION_METHODS`) by default, so that a long
poll running at the same time does not swallow the fault a test meant for a send.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tests.fakes.telegram_api.errors import DEFAULT_DESCRIPTIONS, ApiError, too_many_requests
from tests.fakes.telegram_api.methods import ACTION_METHODS, ALL_METHODS
from tests.fakes.telegram_api.rate_limits import RateLimiter
from tests.fakes.telegram_api.records import ChatId
from tests.fakes.telegram_api.state import ServerState


@dataclass
class Fault:
    """A queued or randomly drawn fault for one request."""

    kind: Literal["error", "stall"]
    methods: frozenset[str]
    status: int = 500
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    deliver: bool = False

    def error(self) -> ApiError:
        if self.status == 429:
            retry_after = self.retry_after or 1
            err = too_many_requests(retry_after)
            if self.description:
                err.description = self.description
            return err
        description = self.description or DEFAULT_DESCRIPTIONS.get(
            self.status, f"Error {self.status}"
        )
        params = {"retry_after": self.retry_after} if self.retry_after else None
        return ApiError(self.status, description, params)


class FaultsMixin(ServerState):
    """Configuring faults and drawing the one a request gets."""

    def set_rate_limits(
        self,
        *,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_chat_burst: int = 3,
    ) -> None:
        """Enable/replace flood limits on send methods (``None`` disables that limit).

        Realistic values are ``global_per_second=30, per_chat_per_second=1``.
        """
        self._limiter = RateLimiter(global_per_second, per_chat_per_second, per_chat_burst)

    def fail_next(
        self,
        k: int = 1,
        status: int = 500,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Answer the next ``k`` targeted requests with an error instead of executing them.

        ``status`` 429 adds ``parameters.retry_after`` (default 1); 403 defaults to
        "Forbidden: bot was blocked by the user".  ``methods`` defaults to :data:`ACTION_METHODS`.
        """
        targets = self._targets(methods)
        for _ in range(k):
            self._faults.append(
                Fault(
                    "error",
                    targets,
                    status=status,
                    description=description,
                    retry_after=retry_after,
                )
            )

    def stall_next(
        self,
        k: int = 1,
        seconds: float = 2.0,
        *,
        deliver: bool = False,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Sleep ``seconds`` before answering the next ``k`` targeted requests.

        With ``deliver=False`` (default) the request is then answered 504 and not executed,
        i.e. a clean time-out.  ``deliver=True`` executes and records it after the delay: the
        message *was* delivered although the client gave up -- the case that produces
        duplicates when the client retries.
        """
        targets = self._targets(methods)
        for _ in range(k):
            self._faults.append(Fault("stall", targets, seconds=seconds, deliver=deliver))

    def chaos(
        self,
        rate: float = 0.2,
        kinds: Iterable[str] = ("429", "5xx", "timeout"),
        seed: int = 1,
        *,
        methods: Iterable[str] | None = None,
        stall_seconds: float = 2.0,
        retry_after: int = 1,
    ) -> None:
        """Randomly fail targeted requests with probability ``rate`` (seeded, reproducible).

        ``kinds`` may contain "429", "5xx" (500 or 502), "500", "502", "403", "400",
        "timeout" (stall then 504, not executed) and "timeout_delivered" (stall, then executed).
        ``chaos(rate=0)`` turns it off.  Queued ``fail_next``/``stall_next`` faults win.
        """
        kinds_tuple = tuple(kinds)
        valid = {"429", "5xx", "500", "502", "403", "400", "timeout", "timeout_delivered"}
        unknown = set(kinds_tuple) - valid
        if unknown:
            raise ValueError(f"unknown chaos kinds: {sorted(unknown)}")
        self._chaos_rate = rate
        self._chaos_kinds = kinds_tuple
        self._chaos_methods = self._targets(methods)
        self._chaos_stall_seconds = stall_seconds
        self._chaos_retry_after = retry_after
        self._rng = random.Random(seed)

    def clear_faults(self) -> None:
        """Drop queued faults and disable chaos."""
        self._faults.clear()
        self._chaos_rate = 0.0

    def block(self, chat_id: ChatId) -> None:
        """Every user-visible call to ``chat_id`` answers 403 "bot was blocked by the user"."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: ChatId) -> None:
        """Undo :meth:`block`."""
        self.blocked.discard(chat_id)

    @staticmethod
    def _targets(methods: Iterable[str] | None) -> frozenset[str]:
        if methods is None:
            return ACTION_METHODS
        targets = frozenset(methods)
        unknown = targets - ALL_METHODS
        if unknown:
            raise ValueError(f"unknown methods: {sorted(unknown)}")
        return targets

    def _draw_fault(self, method: str) -> Fault | None:
        for index, fault in enumerate(self._faults):
            if method in fault.methods:
                self.stats["injected"] += 1
                return self._faults.pop(index)
        if self._chaos_rate <= 0 or method not in self._chaos_methods or not self._chaos_kinds:
            return None
        if self._rng.random() >= self._chaos_rate:
            return None
        self.stats["chaos"] += 1
        kind = self._rng.choice(self._chaos_kinds)
        if kind in {"timeout", "timeout_delivered"}:
            return Fault(
                "stall",
                self._chaos_methods,
                seconds=self._chaos_stall_seconds,
                deliver=kind == "timeout_delivered",
            )
        status = self._rng.choice((500, 502)) if kind == "5xx" else int(kind)
        return Fault(
            "error", self._chaos_methods, status=status, retry_after=self._chaos_retry_after
        )
