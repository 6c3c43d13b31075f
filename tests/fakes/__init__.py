"""Test doubles for external services (kept out of the production packages on purpose):
the Telegram Bot API (``telegram_api/``) and the Zalo Bot API (``zalo_api.py``)."""
