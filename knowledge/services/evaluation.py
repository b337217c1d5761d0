"""Writes on evaluation (staff): scorecards and scoring contributions on them."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.errors import Conflict, ValidationError
from cocreate.permissions import require
from communities.models import Community

from ..models import Challenge, Contribution, Evaluation, Scorecard

S = Contribution.Status


@transaction.atomic
def scorecard_create(
    *,
    actor: User,
    community: Community,
    title: str,
    criteria: list,
    challenge: Challenge | None = None,
) -> Scorecard:
    """Define weighted criteria (each scored 1–5). Managers only."""
    require(actor, "knowledge.define_scorecard", community)
    title = (title or "").strip()
    cleaned, errors = [], {}
    if not title:
        errors["title"] = _("Give the scorecard a title.")
    keys = set()
    for item in criteria if isinstance(criteria, list) else []:
        label = str(item.get("label", "")).strip()[:120] if isinstance(item, dict) else ""
        try:
            weight = int(item.get("weight", 1))
        except (TypeError, ValueError):
            weight = 0
        key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
        if not label or weight < 1 or weight > 100 or key in keys:
            errors["criteria"] = _("Each criterion needs a unique label and a weight of 1–100.")
            break
        keys.add(key)
        cleaned.append({"key": key, "label": label, "weight": weight})
    if not cleaned and "criteria" not in errors:
        errors["criteria"] = _("Add at least one criterion.")
    if challenge is not None and challenge.community_id != community.pk:
        errors["challenge"] = _("Choose a challenge of this community.")
    if errors:
        raise ValidationError(errors)
    return Scorecard.objects.create(
        community=community, challenge=challenge, title=title, criteria=cleaned, created_by=actor
    )


@transaction.atomic
def evaluation_submit(
    *,
    evaluator: User,
    contribution: Contribution,
    scorecard: Scorecard,
    scores: dict,
    note: str = "",
) -> Evaluation:
    """Score a contribution on every criterion (1–5); replaces this evaluator's earlier scores.
    The weighted score is the weight-averaged criterion score, rounded to two places."""
    require(evaluator, "knowledge.evaluate", contribution.community)
    if scorecard.community_id != contribution.community_id:
        raise ValidationError({"scorecard": _("Choose a scorecard of this community.")})
    if contribution.status == S.DRAFT:
        raise Conflict(_("Drafts cannot be evaluated."), "draft")
    cleaned, errors = {}, {}
    for criterion in scorecard.criteria:
        raw = (scores or {}).get(criterion["key"], "")  # missing: not a number, scored 0
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            errors[f"score_{criterion['key']}"] = _("Score from 1 to 5.")
        cleaned[criterion["key"]] = value
    if errors:
        raise ValidationError(errors)
    total_weight = sum(c["weight"] for c in scorecard.criteria)
    weighted = Decimal(sum(cleaned[c["key"]] * c["weight"] for c in scorecard.criteria)) / Decimal(
        total_weight
    )
    weighted = weighted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    evaluation, _created = Evaluation.objects.update_or_create(
        contribution=contribution,
        scorecard=scorecard,
        evaluator=evaluator,
        defaults={"scores": cleaned, "weighted_score": weighted, "note": note.strip()},
    )
    return evaluation
