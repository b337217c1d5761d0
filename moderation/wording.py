"""What a moderation action says to people, one whole translatable sentence per kind: the notice
the member concerned receives (what happened to which post or membership, the reason, whether
they may appeal), and the confirmation the moderator sees once it is done."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import APPEALABLE, ModerationAction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

K = ModerationAction.Kind


def when(moment: datetime) -> str:
    """A moment as the pages show it (the active language's date and time format)."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _on_contribution(kind: str) -> str:
    # A sentence per kind about the member's contribution (%(title)s), with no final reason.
    sentences: dict[str, str] = {
        K.HIDE: _("A moderator hid your contribution “%(title)s”."),
        K.RESTORE: _(
            "A moderator restored your contribution “%(title)s”: everyone can see it again."
        ),
        K.APPROVE: _(
            "A moderator approved your contribution “%(title)s”: everyone can see it now."
        ),
        K.LOCK: _("A moderator locked the discussion of your contribution “%(title)s”."),
        K.UNLOCK: _("A moderator reopened the discussion of your contribution “%(title)s”."),
        K.DISMISS_FLAGS: _(
            "A moderator looked at the reports on your contribution “%(title)s” and left it "
            "as it is."
        ),
    }
    return sentences[kind]


def _on_comment(kind: str) -> str:
    # The same about the member's comment on a contribution or challenge (%(title)s).
    sentences: dict[str, str] = {
        K.HIDE: _("A moderator hid your comment on “%(title)s”."),
        K.RESTORE: _(
            "A moderator restored your comment on “%(title)s”: everyone can see it again."
        ),
        K.APPROVE: _("A moderator approved your comment on “%(title)s”: everyone can see it now."),
        K.DISMISS_FLAGS: _(
            "A moderator looked at the reports on your comment on “%(title)s” and left it as it is."
        ),
    }
    return sentences[kind]


def _on_membership(kind: str) -> str:
    # A sentence per kind about the member's standing in %(community)s; a suspension names its
    # end (%(until)s) mid-sentence, so a time ending in "p.m." is never followed by a period.
    sentences: dict[str, str] = {
        K.WARN: _("A moderator of %(community)s warned you."),
        K.SUSPEND: _(
            "A moderator suspended you in %(community)s until %(until)s: you can read but not "
            "take part."
        ),
        K.UNSUSPEND: _("A moderator lifted your suspension in %(community)s."),
        K.BAN: _("A moderator banned you from %(community)s."),
        K.UNBAN: _("A moderator lifted your ban from %(community)s."),
    }
    return sentences[kind]


def action_notice(
    *,
    kind: str,
    reason: str,
    community: str,
    title: str = "",
    is_comment: bool = False,
    until: datetime | None = None,
) -> str:
    """The notice for the member an action concerns: what happened, the reason, and for an
    action they may appeal, that they can. ``title`` names the post (the contribution, or what
    the comment was on); ``until`` is a suspension's end."""
    if kind in (K.WARN, K.SUSPEND, K.UNSUSPEND, K.BAN, K.UNBAN):
        values = {"community": community, "until": when(until) if until else _("further notice")}
        sentence = _on_membership(kind) % values
    else:
        sentence = (_on_comment(kind) if is_comment else _on_contribution(kind)) % {"title": title}
    # The reason is the moderator's own text, quoted: whatever punctuation it ends with, the
    # sentence that may follow still reads.
    text = _("%(sentence)s Reason: “%(reason)s”") % {"sentence": sentence, "reason": reason}
    if kind in APPEALABLE:
        text = _("%(notice)s If you think this is a mistake, you can appeal it once.") % {
            "notice": text
        }
    return text


def action_done(action: ModerationAction, *, member_name: str = "") -> "StrOrPromise":
    """The moderator's confirmation once an action is taken, a sentence per kind."""
    name = {"name": member_name}
    sentences: dict[str, str] = {
        K.HIDE: _("Hidden. The author sees the reason and can appeal."),
        K.RESTORE: _("Restored: everyone can see it again. The author is told the reason."),
        K.APPROVE: _("Approved: everyone can see it now. The author is told."),
        K.LOCK: _("Discussion locked. The author sees the reason and can appeal."),
        K.UNLOCK: _("Discussion reopened. The author is told the reason."),
        K.DISMISS_FLAGS: _("Reports dismissed: the post stays as it is. The reporters are told."),
        K.WARN: _("%(name)s is warned and sees the reason.") % name,
        K.SUSPEND: (
            _("%(name)s is suspended until %(until)s and sees the reason.")
            % {**name, "until": when(action.until) if action.until else _("further notice")}
        ),
        K.UNSUSPEND: _("The suspension of %(name)s is lifted. They are told the reason.") % name,
        K.BAN: _("%(name)s is banned from the community and sees the reason.") % name,
        K.UNBAN: _("The ban of %(name)s is lifted. They are told the reason.") % name,
    }
    return sentences.get(action.kind, _("Done. The member concerned is told the reason."))
