"""Translation and locale formatting.

Every user-facing string is an English msgid translated through gettext catalogs in
``locales/``. Handlers call ``t("...")`` on a :class:`Translator` bound to the user's
language; module-level strings are marked with :func:`N_` so Babel extracts them and are
translated when shown.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated when shown)."""
    return message
