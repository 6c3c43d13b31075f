"""The words of an XLSForm the bot knows: types, columns, settings, and why the others are
refused; reading a column's language (``label::Tiếng Việt (vi)``) and a yes/no cell."""

from __future__ import annotations

import re

from forms.xlsform.model import Labels

PLAIN_TYPES = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "geopoint": "geopoint",
    "image": "image",
    "photo": "image",
    "note": "note",
    "calculate": "calculate",
    "acknowledge": "acknowledge",
    "trigger": "acknowledge",
}
METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "imei",
    "uri:email",
}
WHY_NOT = {
    "time": "times of day are not asked in the chat; use a text or a date",
    "datetime": "a date with a time is not asked in the chat; use a date",
    "audio": "voice recordings are not taken by the chat",
    "video": "videos are not taken by the chat",
    "file": "files are not taken by the chat; use an image",
    "barcode": "barcodes cannot be scanned in the chat",
    "geotrace": "lines on a map cannot be drawn in the chat; use a geopoint",
    "geoshape": "shapes on a map cannot be drawn in the chat; use a geopoint",
    "range": "a slider cannot be shown in the chat; use an integer with a constraint",
    "rank": "ranking cannot be done in the chat; use select_multiple",
    "hidden": "hidden fields are not supported",
    "xml-external": "external XML data is not supported",
    "csv-external": "external CSV data is not supported",
}
QUESTION_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "choice_filter",
    "default",
    "calculation",
}
TRANSLATED = {"label", "hint", "required_message", "constraint_message"}
SETTINGS = {"form_title", "form_id", "version", "default_language"}
CHOICE_MEDIA = ("media::", "image", "audio", "video", "big-image")
# The bot's question ids and option keys (forms/schema.py): lower case, so that a typed
# command or a button's data never differs from the stored answer's key by case.
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICE_NAME = re.compile(r"^[a-z0-9_]+$")
FORM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
LANGUAGE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
MAX_NAME = 50


def language_of(column: str) -> tuple[str, str]:
    """``label::Tiếng Việt (vi)`` -> ("label", "vi"); ``label`` -> ("label", "default")."""
    base, _, language = column.partition("::")
    if not language:
        return base.strip().lower(), "default"
    found = LANGUAGE.search(language)
    return base.strip().lower(), (found.group(1).lower() if found else language.strip())


def translated(row: dict[str, str], base: str) -> Labels:
    found: Labels = {}
    for key, value in row.items():
        column, language = language_of(key)
        if column == base and value.strip():
            found[language] = value.strip()
    return found


def yes(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    if text in ("", "no", "false", "false()", "0"):
        return False
    if text in ("yes", "true", "true()", "1"):
        return True
    return None
