"""How a value is written in the dossier's history: the formatter lives in `ctg.core.history` (re-exported
here for the apps not converted yet)."""

from ctg.core.history import decimal_text, history_value, same_value  # noqa: F401
