"""The OA channel's pure pieces (issue 17): the webhook signature, event mapping, how a
reply becomes consultation messages, the window and the outcomes the outbox hears."""

from __future__ import annotations

import hashlib

import pytest

from bot.channels.base import PermanentFailure, RecipientBlocked, RetryLater
from bot.channels.zalo_oa.api import NotFollowing, OutsideWindow, RateLimited, Refused, Unavailable
from bot.channels.zalo_oa.channel import ZaloOaChannel, delivery_error, plan, sendable_file
from bot.channels.zalo_oa.updates import FollowChange, MalformedEvent, Skip, to_event
from bot.channels.zalo_oa.webhook import signature
from bot.messages import Button, Document, InboundKind, Outbound
from bot.settings import SettingsError, load_settings
from scheduler.routing import zns_phone
from storage.zalo_oa import UNREACHED_PREFIXES


def test_the_signature_is_a_plain_sha256_of_the_concatenation() -> None:
    raw = b'{"event_name":"user_send_text"}'
    expected = hashlib.sha256(b"app1" + raw + b"1700" + b"secret").hexdigest()
    assert signature("app1", raw, "1700", "secret") == "mac=" + expected


def event(name: str, **extra: object) -> dict[str, object]:
    return {"app_id": "1", "event_name": name, "timestamp": "1", "sender": {"id": "u1"}, **extra}


def test_events_are_mapped() -> None:
    text = to_event(event("user_send_text", message={"msg_id": "a1", "text": "Xin chào"}))
    assert not isinstance(text, Skip | FollowChange)
    assert (text.channel, text.user_id, text.message_id, text.text) == (
        "zalo_oa",
        "u1",
        "ma1",
        "Xin chào",
    )
    image = to_event(
        event(
            "user_send_image",
            message={
                "msg_id": "a2",
                "attachments": [{"type": "image", "payload": {"url": "https://x/y.jpg"}}],
            },
        )
    )
    assert not isinstance(image, Skip | FollowChange)
    assert (
        image.kind is InboundKind.PHOTO and image.file and image.file.file_id == "https://x/y.jpg"
    )
    sticker = to_event(event("user_send_sticker", message={"msg_id": "a3"}))
    assert not isinstance(sticker, Skip | FollowChange)
    assert sticker.kind is InboundKind.UNSUPPORTED
    gone = to_event({"event_name": "unfollow", "timestamp": "2", "follower": {"id": "u1"}})
    assert isinstance(gone, FollowChange) and not gone.following
    assert isinstance(to_event(event("oa_send_text")), Skip)
    with pytest.raises(MalformedEvent):
        to_event(event("user_send_text", message={"msg_id": "a4"}))
    with pytest.raises(MalformedEvent):
        to_event({"no": "name"})


def test_choices_become_query_show_buttons_up_to_five() -> None:
    two = Outbound(
        text="Chọn ngôn ngữ",
        buttons=[
            [Button(label="Tiếng Việt", payload="vi")],
            [Button(label="English", payload="en")],
        ],
    )
    [message] = plan(two)
    buttons = message["attachment"]["payload"]["buttons"]
    assert message["text"] == "Chọn ngôn ngữ"
    assert buttons == [
        {"title": "Tiếng Việt", "type": "oa.query.show", "payload": "Tiếng Việt"},
        {"title": "English", "type": "oa.query.show", "payload": "English"},
    ]
    many = Outbound(
        text="Xã nào?",
        buttons=[[Button(label=f"Xã {i}", payload=str(i))] for i in range(7)],
        language="vi",
    )
    [numbered] = plan(many)
    assert "attachment" not in numbered and "  7. Xã 6" in numbered["text"]
    long = plan(Outbound(text="a " * 1500))
    assert len(long) == 2 and all(len(m["text"]) <= 2000 for m in long)


def test_only_files_zalo_takes_are_uploaded() -> None:
    assert sendable_file(Document(filename="bao-cao.pdf", content=b"%PDF"))
    assert not sendable_file(Document(filename="xuat.xlsx", content=b"PK"))


def test_what_the_outbox_hears() -> None:
    assert isinstance(delivery_error(NotFollowing("send", -213, "")), RecipientBlocked)
    assert isinstance(delivery_error(OutsideWindow("send", -230, "")), PermanentFailure)
    assert isinstance(delivery_error(Refused("send", -201, "")), PermanentFailure)
    assert isinstance(delivery_error(Unavailable("send", 502, "")), RetryLater)
    assert delivery_error(RateLimited("send", -32, "")).retry_after  # type: ignore[attr-defined]


async def test_a_closed_window_is_not_sent_blindly() -> None:
    async def closed(address: str) -> bool:
        return False

    channel = ZaloOaChannel(api=None, tokens=None, window_open=closed)  # type: ignore[arg-type]
    with pytest.raises(PermanentFailure, match="window") as refused:
        await channel.send("u1", Outbound(text="Nhắc nhở"))  # no API: nothing was called
    # Counted where unreachable messages are (the digest, the dashboard), as is Zalo's own
    # "outside the window" answer.
    assert str(refused.value).startswith(UNREACHED_PREFIXES)
    assert str(delivery_error(OutsideWindow("send", -230, "x"))).startswith(UNREACHED_PREFIXES)


def test_settings() -> None:
    settings = load_settings(
        _env_file=None, zalo_oa_app_id="1", zalo_oa_secret_key="s", admins="zalo_oa:8123"
    )
    assert ("zalo_oa", "8123") in settings.admin_identities()
    with pytest.raises(SettingsError, match="OCOP_ZALO_OA_SECRET_KEY"):
        load_settings(_env_file=None, zalo_oa_app_id="1")
    with pytest.raises(SettingsError, match="OCOP_ZALO_ZNS_TEMPLATES"):
        load_settings(_env_file=None, zalo_zns_templates="{not json")


def test_phone_numbers_for_zns() -> None:
    assert zns_phone("0912 345 678") == "84912345678"
    assert zns_phone("+84 912345678") == "84912345678"
    assert zns_phone("12") is None and zns_phone(None) is None
