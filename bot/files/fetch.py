"""Downloading a photo from the URL a messenger gave (Zalo's expire), with guards.

The URL comes in a message, so it is treated as untrusted:

* only ``http`` and ``https``; at most :data:`MAX_REDIRECTS` redirects, each target checked
  like the first;
* never to this machine or a private network (loopback, RFC 1918, link-local, ...): a name
  is resolved by :class:`PublicResolver`, which drops every address that is not public, and
  an address written in the URL is checked as it stands. ``OCOP_ALLOW_PRIVATE_DOWNLOADS``
  lifts this for tests and a local fake API, never for production;
* a bounded time for the whole download, and at most ``max_bytes`` (10 MB by default),
  counted as the bytes come, whatever Content-Length says;
* an image only: the first bytes must be JPEG, PNG, GIF, WebP or HEIC/HEIF, whatever the
  Content-Type claims. The type kept is the one the bytes show.

A refusal is :class:`DownloadFailed` with a ``reason`` the caller turns into words.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = 20.0
MAX_REDIRECTS = 3
READ_SIZE = 64 * 1024
Reason = Literal["too_large", "not_image", "failed"]


class DownloadFailed(Exception):
    """The photo could not be taken: ``too_large``, ``not_image`` or ``failed`` (anything
    else: an address refused, a time-out, an HTTP error)."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    extension: str


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (an IPv4-mapped IPv6 address is
    judged by its IPv4 address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PublicResolver(AbstractResolver):
    """Resolves names as usual, but keeps only public addresses: a name that points into
    a private network (or at this machine) cannot be connected to at all."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self.inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        public = [entry for entry in found if is_public(entry["host"])]
        if not public:
            raise OSError(f"{host} has no public address")
        return public

    async def close(self) -> None:
        await self.inner.close()


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` of the image these first bytes begin, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "image/heic", "heic"
    return None


class ImageFetcher:
    """Downloads images with the guards above; one HTTP session, closed with :meth:`close`."""

    def __init__(
        self,
        *,
        max_bytes: int = MAX_BYTES,
        timeout: float = TIMEOUT,
        allow_private: bool = False,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = None if self.allow_private else PublicResolver()
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=resolver, limit=10),
                headers={"User-Agent": "ocop-bot"},
            )
        return self._session

    async def fetch(self, url: str) -> Download:
        """The image at ``url``, or :class:`DownloadFailed`."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(url)
        except DownloadFailed:
            raise
        except TimeoutError:
            raise DownloadFailed("failed", "no answer in time") from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise DownloadFailed("failed", type(exc).__name__) from None

    async def _follow(self, url: str) -> Download:
        for _ in range(MAX_REDIRECTS + 1):
            self._check_address(url)
            async with self._client().get(url, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308):
                    target = response.headers.get("Location")
                    if not target:
                        raise DownloadFailed("failed", "a redirect without a Location")
                    url = urljoin(url, target)
                    continue
                if response.status != 200:
                    raise DownloadFailed("failed", f"HTTP {response.status}")
                return await self._read(response)
        raise DownloadFailed("failed", "too many redirects")

    def _check_address(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DownloadFailed("failed", "not an http(s) URL")
        if self.allow_private:
            return
        host = parts.hostname
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return  # a name: PublicResolver decides when connecting
        if not is_public(host):
            raise DownloadFailed("failed", "a private or local address")

    async def _read(self, response: aiohttp.ClientResponse) -> Download:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise DownloadFailed("too_large", f"{declared} bytes announced")
        received = bytearray()
        async for block in response.content.iter_chunked(READ_SIZE):
            received += block
            if len(received) > self.max_bytes:
                raise DownloadFailed("too_large", f"more than {self.max_bytes} bytes")
        kind = sniff_image(bytes(received[:16]))
        if kind is None:
            raise DownloadFailed("not_image", "the bytes are not a known image format")
        return Download(bytes(received), *kind)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            await asyncio.sleep(0)
