"""The admin dashboard: server-rendered pages under ``/admin`` on the bot's one HTTP
server, and ``/healthz``.

Sign-in is a one-time link an admin gets with ``/web`` in the chat (bot/web/auth.py);
every request reads the admin's rights from storage again (bot/web/sessions.py) and every
list goes through the same storage scopes as the chat. Changes (a review, an approval, a
step of a product, a deadline) run the chat's own handlers (bot/web/actions.py), so the
people concerned are told in their chat exactly as when an admin acts in the chat.
See docs/web.md.
"""

from bot.web.health import Health
from bot.web.routes import OWNER, WebDashboard, mount_dashboard
from bot.web.sessions import Dashboard

__all__ = ["OWNER", "Dashboard", "Health", "WebDashboard", "mount_dashboard"]
