"""Report titles for reminder texts, taken from the form definitions.

A report type is a form, and its title lives in the form's YAML, not in the calendar. The
scheduler does not import the conversation layer at module level (forms import the
scheduler for their periods); the lookup is deferred to call time instead.
"""

from __future__ import annotations


def form_title(form_id: str, language: str) -> str:
    """The form's title in ``language``; the id itself when the form is not loaded."""
    from forms.registry import FORMS

    form = FORMS.get(form_id)
    return form.title(language) if form is not None else form_id
