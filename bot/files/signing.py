"""Download-link tokens: which file, for which user, until when, signed with HMAC-SHA256.

A token is ``<file id>.<user id>.<expiry, Unix seconds>.<signature>``: plain numbers (they
name rows, they grant nothing) and a signature over them with ``OCOP_LINK_SECRET``. So a
link cannot be made for another file, another user or a later time without the secret,
and checking one needs no database read: a forged or expired link is refused before any
query.

A link is tied to the user who asked for the file (the route also checks that the file is
still theirs), but whoever holds the link can use it until it expires: it is a bearer
token, like any download link sent in a chat. Hence the short lifetime
(``OCOP_LINK_TTL_HOURS``, 24 by default) and the advice in the message not to forward it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

DOMAIN = b"ocop-file-link/v1:"  # a signature made for links means nothing elsewhere
TOKEN = re.compile(r"(\d{1,18})\.(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{43})")


class LinkRefused(Exception):
    """A link that cannot be served; ``status`` is the HTTP answer."""

    status = 403


class BadLink(LinkRefused):
    """Not a token we made: malformed, or a signature that does not match (403)."""


class ExpiredLink(LinkRefused):
    """A genuine link past its time, or whose file is gone (410)."""

    status = 410


@dataclass(frozen=True)
class Claim:
    """What a token says."""

    file_id: int
    user_id: int
    expires: int  # Unix seconds


class LinkSigner:
    """Signs and checks tokens with one secret (all workers share it: see bot/app.py)."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def _signature(self, body: str) -> str:
        digest = hmac.new(self._key, DOMAIN + body.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def token(self, claim: Claim) -> str:
        body = f"{claim.file_id}.{claim.user_id}.{claim.expires}"
        return f"{body}.{self._signature(body)}"

    def verify(self, token: str, *, now: float) -> Claim:
        """The claim of a genuine, unexpired token; :class:`BadLink` or :class:`ExpiredLink`."""
        match = TOKEN.fullmatch(token)
        if match is None:
            raise BadLink("not a download token")
        file_id, user_id, expires, signature = match.groups()
        expected = self._signature(f"{file_id}.{user_id}.{expires}")
        if not hmac.compare_digest(signature.encode("ascii"), expected.encode("ascii")):
            raise BadLink("the signature does not match")
        claim = Claim(int(file_id), int(user_id), int(expires))
        if claim.expires <= now:
            raise ExpiredLink("the link has expired")
        return claim
