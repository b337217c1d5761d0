"""Forms for the moderation pages. They parse input; the services decide and explain."""

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreate.dates import displayable_date
from cocreate.form_errors import ServiceErrorsMixin

from .models import FlagReason, ModerationAction
from .selectors import PERIODS, QUEUE_KINDS

K = ModerationAction.Kind

REASON_WIDGET = forms.Textarea(attrs={"rows": 3, "maxlength": 2000})


def _reason_field(help_text=None) -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=REASON_WIDGET,
        help_text=help_text or _("Required. The member concerned will read it."),
    )


class FlagForm(ServiceErrorsMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=FlagReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note for the moderators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text=_(
            "Required for “Other”. Moderators read it; the author does not see who you are."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == FlagReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Tell the moderators what is wrong."))
        return data


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("Contributions and comments")),
            *zip(QUEUE_KINDS, [_("Contributions"), _("Comments")], strict=True),
        ],
    )
    reason = forms.ChoiceField(
        label=_("Flag reason"), required=False, choices=[("", _("Any reason")), *FlagReason.choices]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Waiting (pending or flagged)")),
            ("pending", _("Pending approval")),
            ("flagged", _("Flagged")),
            ("hidden", _("Hidden")),
        ],
    )

    def __init__(self, *args, **kwargs):
        # Its own ids (the names stay, so links to ?reason=... keep working): the queue page
        # also shows the bulk action form, whose reason would otherwise share ``id_reason``.
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"kind": "", "reason": "", "state": ""}
        return dict(self.cleaned_data)


BULK_CHOICES = [
    (K.HIDE, _("Hide")),
    (K.RESTORE, _("Restore or approve")),
    (K.DISMISS_FLAGS, _("Dismiss flags")),
]


class BulkActionForm(ServiceErrorsMixin, forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=BULK_CHOICES)
    reason = _reason_field(_("Required. One reason for every selected item; authors read it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[tuple[str, int]] = []

    def clean(self):
        data = super().clean()
        items = []
        for raw in self.data.getlist("item") if hasattr(self.data, "getlist") else []:
            type_, _sep, pk = str(raw).partition(":")
            if type_ in QUEUE_KINDS and pk.isdigit() and 0 < int(pk) < 2**63:
                items.append((type_, int(pk)))
        if not items:
            raise forms.ValidationError(_("Select at least one item."))
        self.items = items
        return data


CONTENT_CHOICES = [
    (K.HIDE, _("Hide")),
    (K.RESTORE, _("Restore")),
    (K.APPROVE, _("Approve (pre-moderation)")),
    (K.LOCK, _("Lock the discussion")),
    (K.UNLOCK, _("Unlock the discussion")),
    (K.DISMISS_FLAGS, _("Dismiss flags")),
]


class ContentActionForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=CONTENT_CHOICES)
    reason = _reason_field()

    def __init__(self, *args, comment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if comment:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                c for c in CONTENT_CHOICES if c[0] not in (K.LOCK, K.UNLOCK)
            ]


DURATIONS = [
    ("1", _("1 hour")),
    ("24", _("1 day")),
    ("72", _("3 days")),
    ("168", _("1 week")),
    ("720", _("30 days")),
    ("2160", _("90 days")),
    ("8760", _("1 year")),
]
MEMBER_CHOICES = [
    (K.WARN, _("Warn")),
    (K.SUSPEND, _("Suspend")),
    (K.UNSUSPEND, _("Lift suspension")),
    (K.BAN, _("Ban from the community")),
    (K.UNBAN, _("Lift ban")),
]


class MemberActionForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=MEMBER_CHOICES)
    duration = forms.ChoiceField(
        label=_("Suspend for"),
        choices=DURATIONS,
        initial="24",
        required=False,
        help_text=_("Only for a suspension."),
    )
    reason = _reason_field()

    def cleaned_duration(self) -> timedelta | None:
        if self.cleaned_data.get("kind") != K.SUSPEND:
            return None
        return timedelta(hours=int(self.cleaned_data.get("duration") or "24"))


class AppealForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Why should the moderators reconsider?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
        help_text=_("You can appeal each action once. A different moderator decides."),
    )


class AppealDecisionForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Uphold the action")),
            ("overturn", _("Overturn the action")),
        ],
        widget=forms.RadioSelect,
    )
    reason = _reason_field(_("Required. The member who appealed reads it."))


class LogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *K.choices]
    )
    actor = forms.TypedChoiceField(label=_("By"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[displayable_date],
    )
    until = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[displayable_date],
    )

    def __init__(self, *args, actors: Sequence[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["actor"]).choices = [("", _("Anyone")), *actors]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        since = until = None
        if data.get("since"):
            since = timezone.make_aware(datetime.combine(data["since"], time.min), zone)
        if data.get("until"):
            until = timezone.make_aware(
                datetime.combine(data["until"] + timedelta(days=1), time.min), zone
            )
        return {
            "kind": data.get("kind") or "",
            "actor_id": data.get("actor"),
            "since": since,
            "until": until,
        }


class SettingsForm(ServiceErrorsMixin, forms.Form):
    flag_threshold = forms.IntegerField(
        label=_("Flags that hide a post pending review"),
        min_value=1,
        max_value=100,
        help_text=_("Only flags from established members count."),
    )
    established_after_posts = forms.IntegerField(
        label=_("Approved posts before a member is established"), min_value=0, max_value=1000
    )
    established_after_days = forms.IntegerField(
        label=_("Days before a member is established"), min_value=0, max_value=3650
    )
    premoderate_new_members = forms.BooleanField(
        label=_("New members' posts wait for a moderator's approval"), required=False
    )
    new_posts_per_minute = forms.IntegerField(
        label=_("Posts per minute (new members)"), min_value=1, max_value=1000
    )
    new_replies_per_day = forms.IntegerField(
        label=_("Replies per day (new members)"), min_value=1, max_value=10000
    )
    new_links_per_post = forms.IntegerField(
        label=_("Links per post (new members)"), min_value=0, max_value=100
    )
    posts_per_minute = forms.IntegerField(
        label=_("Posts per minute (established members)"), min_value=1, max_value=1000
    )


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Counts per"),
        required=False,
        choices=list(zip(PERIODS, [_("Week"), _("Month"), _("Year")], strict=True)),
    )
