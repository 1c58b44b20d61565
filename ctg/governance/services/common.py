"""Helpers shared by the steering services (text, email, the label of a meeting)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ctg.governance.models import Meeting
from ctg.text import clean_text

# --- helpers -------------------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, required: bool = False, max_length: int | None = None) -> str:
    # Control characters removed for the callers without a form too (imports, decisions); see ctg.text.
    value = clean_text(value or "", multiline=True).strip()
    if required and not value:
        raise ValidationError({field: f"{label} est obligatoire."})
    if max_length and len(value) > max_length:
        raise ValidationError({field: f"{label} ne doit pas dépasser {max_length} caractères."})
    return value


def _email(value, *, field: str = "email") -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({field: f"L'adresse « {value} » n'est pas un courriel valide."}) from None
    return value


def meeting_label(meeting: Meeting) -> str:
    return f"{meeting.body.name} {meeting.on_label}" + (f" « {meeting.title} »" if meeting.title else "")
