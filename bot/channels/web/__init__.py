"""The browser chat: talk to the bot in a web page (``/chat`` on the bot's one HTTP server),
with real buttons, for training and demos, without a messenger account.

A channel like the others: what a person types goes through the one pipeline, and every
reply is an outbox row that this channel's own outbox sender delivers. Delivering means
"ready to be shown": the page reads the conversation from the outbox (``history``) and is
told of new rows at once through server-sent events (``hub``), so a reply written while the
page was closed is there when it opens again, and a reload finds the open question.

``identity`` gives a browser its anonymous id (an HTTP-only cookie) and the token every
POST must carry; ``channel`` delivers; ``routes`` are the page, the event stream, the send
endpoint and the static files; ``service`` runs it in the runtime (:mod:`bot.runtime`).
"""

from bot.channels.web.channel import CHANNEL, WebChannel
from bot.channels.web.service import WebService

__all__ = ["CHANNEL", "WebChannel", "WebService"]
