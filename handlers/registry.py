"""Where commands, flows and global button actions are registered by the modules that own them.

A flow is a multi-step conversation (onboarding, a form); a command is ``/name``; an action
is a button whose payload starts with ``@`` and works whatever conversation is open (e.g. an
admin's "approve" on a notification pressed days later).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from handlers.context import Context

Handler = Callable[[Context, str], Awaitable[None]]


class Flow(Protocol):
    name: str

    async def prompt(self, ctx: Context) -> None:
        """Ask the current step's question (again): used on resume and after a bad answer."""
        ...

    async def handle(self, ctx: Context) -> None:
        """Take the user's answer to the current step."""
        ...


COMMANDS: dict[str, Handler] = {}
ACTIONS: dict[str, Handler] = {}
FLOWS: dict[str, Flow] = {}
# Commands that ask a question of their own (/huy, /ngonngu): a conversation they interrupt
# is asked again once that question is answered, not right after the command.
ASKING: set[str] = set()


def command(*names: str, asks: bool = False) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            if name in COMMANDS:
                raise RuntimeError(f"command /{name} registered twice")
            COMMANDS[name] = func
            if asks:
                ASKING.add(name)
        return func

    return register


def action(prefix: str) -> Callable[[Handler], Handler]:
    """Handle button payloads ``@prefix:argument``; the handler gets the argument."""

    def register(func: Handler) -> Handler:
        ACTIONS[prefix] = func
        return func

    return register


def flow(instance: Flow) -> Flow:
    FLOWS[instance.name] = instance
    return instance
