"""Granting and withdrawing consent. Each answer is one append-only ``ConsentEvent`` and the
member's ``ConsentState`` row for the purpose, written together under a lock on that row: a use
of the same consent (``usage_record``, which takes the same lock) is either before the
withdrawal or refused."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.errors import Conflict, ValidationError
from cocreate.permissions import require
from communities.models import Community
from events.services import event_record

from ..models import Channel, ConsentEvent, ConsentPurpose, ConsentState

A = ConsentEvent.Action


def _live_version(purpose: ConsentPurpose, *, withdrawing: bool):
    if purpose.archived_at is not None and not withdrawing:
        raise Conflict(_("This purpose is no longer in use."), "archived")
    if purpose.current_version is None:
        raise Conflict(_("This purpose has not been published yet."), "unpublished")
    return purpose.current_version


def _answer(
    *, user: User, purpose: ConsentPurpose, action: str, channel: str, text_sha256: str = ""
) -> ConsentState | None:
    """Record ``action`` on the purpose's current version, unless the state already says it
    (a repeated click writes nothing). Call inside a transaction."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown consent channel.")})
    purpose = ConsentPurpose.objects.select_related("current_version").get(pk=purpose.pk)
    granting = action == A.GRANT
    if not granting and purpose.current_version is None:
        return None  # never published: nothing can have been granted
    version = _live_version(purpose, withdrawing=not granting)
    if text_sha256 and text_sha256 != version.text_sha256:
        raise Conflict(
            _("This purpose has a newer version: read it again before answering."), "stale"
        )
    state = (
        ConsentState.objects.select_for_update()
        .filter(user=user, purpose=purpose)
        .select_related("version")
        .first()
    )
    if state is not None and state.granted == granting and state.version_id == version.pk:
        return state
    if state is None and not granting:
        return None  # nothing was ever granted: nothing to withdraw
    now = timezone.now()
    event = ConsentEvent.objects.create(
        user=user,
        purpose=purpose,
        version=version,
        action=action,
        channel=channel,
        at=now,
        text_sha256=version.text_sha256,
    )
    if state is None:
        state = ConsentState.objects.create(
            user=user,
            purpose=purpose,
            version=version,
            granted=granting,
            since=now,
            last_event=event,
        )
    else:
        state.version, state.granted, state.since, state.last_event = version, granting, now, event
        state.save(update_fields=["version", "granted", "since", "last_event"])
    event_record(
        kind="consent.granted" if granting else "consent.withdrawn",
        payload={
            "user_id": user.pk,
            "purpose_id": purpose.pk,
            "version_id": version.pk,
            "event_id": event.pk,
            "channel": channel,
        },
        actor=user,
        community_id=purpose.community_id,
    )
    return state


@transaction.atomic
def consent_grant(
    *,
    user: User,
    purpose: ConsentPurpose,
    channel: str = Channel.SETTINGS,
    text_sha256: str = "",
) -> ConsentState:
    """Grant the purpose's current version. A community's purpose needs an active or suspended
    membership (joining grants through :func:`consents_on_join`); site documents anyone signed
    in. ``text_sha256``, when given, must be the hash of the words the person was shown: a
    version published meanwhile is refused (``Conflict``, nothing written)."""
    if purpose.community_id is not None:
        require(user, "trust.grant", purpose.community)
    state = _answer(
        user=user, purpose=purpose, action=A.GRANT, channel=channel, text_sha256=text_sha256
    )
    assert state is not None  # a grant always leaves a state
    return state


@transaction.atomic
def consent_withdraw(
    *, user: User, purpose: ConsentPurpose, channel: str = Channel.SETTINGS
) -> ConsentState | None:
    """Withdraw consent for the purpose (its current version is the one recorded). Always
    allowed, whatever the person's standing and even for an archived purpose; nothing to
    withdraw returns None. From the commit on, no use for this purpose of the person's
    contributions is accepted."""
    return _answer(user=user, purpose=purpose, action=A.WITHDRAW, channel=channel)


def consents_on_join(
    *,
    user: User,
    community: Community,
    granted_keys: Iterable[str],
    channel: str = Channel.JOIN,
) -> list[ConsentState]:
    """The answers given with a join: every required purpose of ``community`` must be among
    ``granted_keys`` (else ``ValidationError`` on ``consents``), unknown keys are refused,
    optional purposes left out stay unanswered. Call inside the join's transaction (the join
    service does, through ``communities.join_hooks``): membership and consent commit together."""
    keys = {str(k).strip() for k in granted_keys if str(k).strip()}
    purposes = list(
        ConsentPurpose.objects.filter(
            community=community, archived_at__isnull=True, current_version__isnull=False
        ).select_related("current_version")
    )
    by_key = {p.key: p for p in purposes}
    unknown = sorted(keys - by_key.keys())
    if unknown:
        raise ValidationError(
            {"consents": _("Unknown purposes: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    missing = [p for p in purposes if p.required and p.key not in keys]
    if missing:
        raise ValidationError(
            {
                "consents": _("To join, accept: %(titles)s.")
                % {"titles": ", ".join(p.title for p in missing)}
            }
        )
    return [
        state
        for p in purposes
        if p.key in keys
        and (state := _answer(user=user, purpose=p, action=A.GRANT, channel=channel)) is not None
    ]
