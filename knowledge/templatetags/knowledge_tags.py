"""Presentation helpers for the knowledge pages. Everything they return is plain data; the
templates escape it."""

import json
from typing import TYPE_CHECKING

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.selectors import MENTION_SUGGESTIONS

from ..models import Challenge, Contribution, FieldType
from ..services import TRANSITIONS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()

S = Contribution.Status
STATUS_CLASSES: dict[str, str] = {
    S.DRAFT: "status-draft",
    S.SUBMITTED: "status-new",
    S.UNDER_REVIEW: "status-review",
    S.ACCEPTED: "status-good",
    S.IN_DEVELOPMENT: "status-good",
    S.SHIPPED: "status-shipped",
    S.DECLINED: "status-declined",
    S.DUPLICATE: "status-closed",
    S.MERGED: "status-closed",
}
PHASE_CLASSES: dict[str, str] = {
    Challenge.Phase.DRAFT: "status-draft",
    Challenge.Phase.OPEN: "status-good",
    Challenge.Phase.EVALUATION: "status-review",
    Challenge.Phase.CLOSED: "status-closed",
}


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASSES.get(value, "status-new")


@register.filter
def phase_class(value: str) -> str:
    return PHASE_CLASSES.get(value, "status-closed")


@register.filter
def status_label(value: str) -> "StrOrPromise":
    try:
        return S(value).label
    except ValueError:
        return value


@register.simple_tag
def allowed_statuses(current: str) -> list[tuple[str, "StrOrPromise"]]:
    """The statuses staff may move a contribution to from ``current``, in lifecycle order."""
    allowed = TRANSITIONS.get(current, set())
    return [(value, label) for value, label in S.choices if value in allowed]


@register.simple_tag
def toolkit_answers(contribution: Contribution) -> list[dict]:
    """The contribution's answers in the order of its toolkit version's fields:
    ``{"label", "type", "value"}`` with lists joined and yes/no translated."""
    rows = []
    answers = contribution.fields or {}
    for definition in contribution.toolkit_version.fields:
        if definition["key"] not in answers:
            continue
        value = answers[definition["key"]]
        if definition["type"] == FieldType.YES_NO:
            value = _("Yes") if value else _("No")
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({"label": definition["label"], "type": definition["type"], "value": value})
    return rows


@register.simple_tag
def mention_strings() -> str:
    """The words ``static/js/mentions.js`` says, in the page's language, as JSON (the template
    escapes it into an attribute): the list's name, "no match", and "N suggestions" for every
    N the suggestions endpoint can answer, each with its own plural form."""
    counts = {
        str(n): ngettext("%(count)s suggestion", "%(count)s suggestions", n) % {"count": n}
        for n in range(1, MENTION_SUGGESTIONS + 1)
    }
    return json.dumps(
        {"label": _("People you can mention"), "none": _("No member matches."), "counts": counts}
    )
