"""The Zalo Bot Platform channel (bot.zaloplatforms.com): a thin adapter between its Bot API
and the core, with a small HTTP client of our own (``api``).

``updates`` maps Zalo updates (either body shape) to inbound messages, ``receiver`` feeds them
to the pipeline (after having the photos people send downloaded and kept at once, since
Zalo's URLs expire: :mod:`bot.files.photos`, shared with the other channels), ``polling`` and
``webhook`` are the two ways to receive them, ``render`` and ``channel`` turn replies into
``sendMessage`` calls (numbered choices, 2,000-character pieces, files as download links), and
``service`` (``ZaloService``) runs it in the runtime (:mod:`bot.runtime`).
See docs/zalo.md.
"""

from bot.channels.zalo.updates import CHANNEL, to_inbound

__all__ = ["CHANNEL", "to_inbound"]
