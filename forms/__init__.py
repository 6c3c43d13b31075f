"""The form model: what a report or registration asks, and how answers are read.

Question types and the schema of a form file (``schema``), the built-in definitions
(``definitions/*.yaml``) and the forms in use (``registry``), the readers of Vietnamese
answers (``readers``), the engine that walks a form (``engine``), the cross-field rules of a
form file (``rules``), the validation of a draft before it is filed (``validation``) and
reporting periods (``periods``). It knows no messenger, no database and no conversation:
the conversation handlers, storage's exports and imports, and the scheduler all build on it.
"""
