"""Every write on knowledge: toolkits, challenges, contributions and their lifecycle, dialogue,
supports, follows and evaluations.

Each function checks permission (knowledge/rules.py), writes in one transaction, keeps the
denormalised counters exact with row locks and F() updates, and records domain events
(``events.services.event_record``) for what contributors and followers must hear.
"""

from .challenges import challenge_create, challenge_set_phase
from .contributions import (
    NEEDS_ORIGINAL,
    TRANSITIONS,
    contribution_create,
    contribution_edit,
    contribution_set_status,
    contribution_submit,
    support_add,
    support_remove,
)
from .dialogue import (
    comment_create,
    comment_edit,
    comment_mark_helpful,
    discussion_open,
    discussion_set_locked,
    follow_set,
)
from .evaluation import evaluation_submit, scorecard_create
from .moderation_state import content_set_moderation_state
from .toolkits import toolkit_create, toolkit_revise, toolkit_set_active

__all__ = [
    "NEEDS_ORIGINAL",
    "TRANSITIONS",
    "challenge_create",
    "challenge_set_phase",
    "comment_create",
    "comment_edit",
    "comment_mark_helpful",
    "content_set_moderation_state",
    "contribution_create",
    "contribution_edit",
    "contribution_set_status",
    "contribution_submit",
    "discussion_open",
    "discussion_set_locked",
    "evaluation_submit",
    "follow_set",
    "scorecard_create",
    "support_add",
    "support_remove",
    "toolkit_create",
    "toolkit_revise",
    "toolkit_set_active",
]
