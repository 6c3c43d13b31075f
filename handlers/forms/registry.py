"""The forms in use, loaded and checked once at import (start-up): a broken form file stops
the bot before anyone is asked a question from it."""

from __future__ import annotations

import os
from pathlib import Path

from handlers.forms.schema import DEFINITIONS_DIR, Form, load_forms

# Operators may keep their own forms elsewhere (one YAML file per form).
FORMS_DIR = Path(os.environ.get("OCOP_FORMS_DIR") or DEFINITIONS_DIR)
FORMS: dict[str, Form] = load_forms(FORMS_DIR)
