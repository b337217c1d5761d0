"""Typed toolkit fields: validate a toolkit's field definitions and a contribution's answers."""

import re
from decimal import Decimal, InvalidOperation

from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from cocreate.errors import ValidationError

from .models import FieldType

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 30
SHORT_MAX = 200
LONG_MAX = 10000


def clean_field_definitions(raw: list) -> list[dict]:
    """Normalised field definitions, or ValidationError({"fields": [...]}) naming the problem."""
    if not isinstance(raw, list):
        raise ValidationError({"fields": _("Fields must be a list.")})
    if len(raw) > MAX_FIELDS:
        raise ValidationError({"fields": _("A toolkit can have at most 30 fields.")})
    cleaned, seen = [], set()
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"fields": _("Field %(n)s is not an object.") % {"n": index}})
        label = str(item.get("label", "")).strip()[:120]
        key = str(item.get("key") or re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_"))[:40]
        ftype = item.get("type")
        if not label:
            raise ValidationError({"fields": _("Field %(n)s needs a label.") % {"n": index}})
        if not KEY_RE.match(key) or key in seen:
            raise ValidationError(
                {"fields": _("Field %(n)s needs a unique key (letters, digits, _).") % {"n": index}}
            )
        if ftype not in FieldType.values:
            raise ValidationError({"fields": _("Field %(n)s has an unknown type.") % {"n": index}})
        choices: list[str] = []
        if ftype in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE):
            choices = [str(c).strip()[:120] for c in item.get("choices") or [] if str(c).strip()]
            if len(choices) < 2:
                raise ValidationError(
                    {"fields": _("Field %(n)s needs at least two choices.") % {"n": index}}
                )
        seen.add(key)
        cleaned.append(
            {
                "key": key,
                "label": label,
                "type": ftype,
                "required": bool(item.get("required", False)),
                "help": str(item.get("help", "")).strip()[:300],
                "choices": choices,
            }
        )
    return cleaned


def _clean_value(field: dict, value):  # noqa: C901 - one branch per type reads best
    ftype = field["type"]
    if ftype == FieldType.YES_NO:
        if value in (True, "true", "yes", "on", "1", 1):
            return True
        if value in (False, "false", "no", "0", 0):
            return False
        return None
    if ftype == FieldType.MULTIPLE_CHOICE:
        values = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
        values = [str(v) for v in values]
        bad = [v for v in values if v not in field["choices"]]
        if bad:
            raise ValueError(_("Choose from the listed options."))
        return values or None
    if value is None:
        return None
    text = str(value).strip()
    if text == "":
        return None
    if ftype == FieldType.SHORT_TEXT:
        if len(text) > SHORT_MAX:
            raise ValueError(_("Keep this under 200 characters."))
        return text
    if ftype == FieldType.LONG_TEXT:
        if len(text) > LONG_MAX:
            raise ValueError(_("Keep this under 10,000 characters."))
        return text
    if ftype == FieldType.CHOICE:
        if text not in field["choices"]:
            raise ValueError(_("Choose one of the listed options."))
        return text
    if ftype == FieldType.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("Enter a number.")) from exc
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            raise ValueError(_("Enter a number."))
        return str(number)
    if ftype == FieldType.URL:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError as exc:
            raise ValueError(_("Enter a web address starting with http:// or https://.")) from exc
        return text
    raise ValueError(_("Unknown field type."))


def clean_answers(definitions: list[dict], answers: dict, *, require: bool) -> dict:
    """Answers keyed by field key, typed and validated. ``require`` enforces required fields
    (on submit; drafts may be incomplete). Errors are keyed ``field_<key>``."""
    answers = answers if isinstance(answers, dict) else {}
    cleaned, errors = {}, {}
    for field in definitions:
        try:
            value = _clean_value(field, answers.get(field["key"]))
        except ValueError as exc:
            errors[f"field_{field['key']}"] = str(exc)
            continue
        if value is None:
            if require and field["required"]:
                errors[f"field_{field['key']}"] = _("This field is required.")
            continue
        cleaned[field["key"]] = value
    if errors:
        raise ValidationError(errors)
    return cleaned
