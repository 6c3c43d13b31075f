"""The chat page itself: a small HTML document, in the person's language.

No inline script or style (the Content-Security-Policy forbids them, bot/http.py): the page
loads ``chat.js`` and ``chat.css`` from this server, and hands the script what it needs in
``<meta>`` tags and ``data-`` attributes (the anti-forgery token, where the chat lives, the
words it shows on its own). Everything interpolated is escaped.
"""

from __future__ import annotations

from html import escape

from bot.i18n import Translator

PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{token}">
<meta name="chat-root" content="{root}">
<title>{title}</title>
<link rel="stylesheet" href="{root}/static/chat.css">
<script src="{root}/static/chat.js" defer></script>
</head>
<body>
<header class="top">
<h1>{title}</h1>
<p>{subtitle}</p>
</header>
<main id="log" class="log" role="log" aria-live="polite" aria-label="{conversation}"></main>
<p id="status" class="status" role="status" hidden
 data-reconnecting="{reconnecting}" data-failed="{failed}"></p>
<form id="composer" class="composer" autocomplete="off">
<input id="text" name="text" type="text" maxlength="4000" enterkeyhint="send"
 placeholder="{placeholder}" aria-label="{placeholder}">
<button id="send" type="submit">{send}</button>
</form>
<noscript><p class="status">{noscript}</p></noscript>
</body>
</html>
"""


def render_page(tr: Translator, *, token: str, root: str) -> str:
    """The page for one browser (``token`` is its anti-forgery token)."""
    words = {
        "title": tr.t("OCOP reporting assistant"),
        "subtitle": tr.t("Try the bot in your browser, for training and demonstrations."),
        "conversation": tr.t("Conversation with the bot"),
        "reconnecting": tr.t("The connection was lost; reconnecting…"),
        "failed": tr.t("Your message was not sent. Please try again."),
        "placeholder": tr.t("Type a message…"),
        "send": tr.t("Send"),
        "noscript": tr.t("Please turn on JavaScript in your browser to chat with the bot."),
    }
    values = {name: escape(text, quote=True) for name, text in words.items()}
    return PAGE.format(
        lang=escape(tr.language, quote=True),
        token=escape(token, quote=True),
        root=escape(root, quote=True),
        **values,
    )
