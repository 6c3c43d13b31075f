"""The conversations that fill forms (reports, product ideas) on top of the form model."""
