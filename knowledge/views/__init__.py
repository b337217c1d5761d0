"""HTML pages for knowledge: parse input with a form, call one service or selector, render.

Every page needs a signed-in member of the community (or its firm's staff); outsiders get 404,
the same as for a missing community, and staff pages answer 403 to members. Every form works
without JavaScript; htmx only makes supporting, following and loading replies feel instant.
"""

from .challenges import (
    challenge,
    challenge_comment,
    challenge_edit,
    challenge_follow,
    challenge_lock,
    challenge_new,
    challenges,
)
from .contributions import (
    contribute,
    contribution,
    edit,
    evaluate,
    status,
    submit,
    support,
)
from .dialogue import comment, comment_edit, comment_helpful, follow, lock, replies
from .feed import feed, search
from .staff import scorecards, toolkit_edit, toolkits, triage

__all__ = [
    "challenge",
    "challenge_comment",
    "challenge_edit",
    "challenge_follow",
    "challenge_lock",
    "challenge_new",
    "challenges",
    "comment",
    "comment_edit",
    "comment_helpful",
    "contribute",
    "contribution",
    "edit",
    "evaluate",
    "feed",
    "follow",
    "lock",
    "replies",
    "scorecards",
    "search",
    "status",
    "submit",
    "support",
    "toolkit_edit",
    "toolkits",
    "triage",
]
