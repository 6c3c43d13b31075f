"""The Zalo Official Account channel (issue 17, docs/zalo_oa.md): a government's own OA
beside the Zalo Bot Platform channel.

``api`` is a small client of the OA, OAuth and ZNS hosts; ``tokens`` keeps the rotating
OAuth tokens in the database; ``updates`` maps webhook events, ``receiver`` feeds them to
the pipeline, ``webhook`` checks their signature; ``channel`` sends replies (buttons, files)
and ``zns`` the template reminders for users outside the window; ``service`` runs it all.
"""

from bot.channels.zalo_oa.updates import CHANNEL

__all__ = ["CHANNEL"]
