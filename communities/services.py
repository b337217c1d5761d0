"""Every write on organisations, communities, memberships and invitations.

Each function checks permission, writes inside one transaction, keeps ``member_count`` exact,
appends a ``MembershipChange`` for every change of role or status, and records a domain event
for what other people must hear about.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.types import Viewer
from cocreate import caching
from cocreate.errors import Conflict, PermissionDenied, ValidationError
from cocreate.permissions import require
from events.services import event_record

from . import join_hooks
from .models import (
    Community,
    Invitation,
    Membership,
    MembershipChange,
    Organization,
    OrganizationStaff,
)
from .rules import forget_membership, remember_membership

ACTIVE = Membership.Status.ACTIVE


def _log_change(
    *,
    membership: Membership,
    actor: Viewer | None,
    from_role: str,
    from_status: str,
    reason: str = "",
) -> None:
    MembershipChange.objects.create(
        membership=membership,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_role=from_role,
        to_role=membership.role,
        from_status=from_status,
        to_status=membership.status,
        reason=reason,
    )


def _adjust_member_count(community: Community, was_active: bool, is_active: bool) -> None:
    delta = int(is_active) - int(was_active)
    if delta:
        Community.objects.filter(pk=community.pk).update(member_count=F("member_count") + delta)
        community.refresh_from_db(fields=["member_count"])
        caching.changed(community, fields=["member_count"])


def _set_membership(
    *,
    membership: Membership,
    actor: User,
    role: str | None = None,
    status: str | None = None,
    reason: str = "",
    extra_fields: tuple[str, ...] = (),
) -> Membership:
    """Change role and/or status of a locked membership; log it and keep the counter exact."""
    from_role, from_status = membership.role, membership.status
    if role is not None:
        membership.role = role
    if status is not None:
        membership.status = status
        if status == ACTIVE and from_status != ACTIVE:
            membership.joined_at = timezone.now()
    membership.save(update_fields=["role", "status", "joined_at", "updated_at", *extra_fields])
    _log_change(
        membership=membership,
        actor=actor,
        from_role=from_role,
        from_status=from_status,
        reason=reason,
    )
    _adjust_member_count(membership.community, from_status == ACTIVE, membership.status == ACTIVE)
    forget_membership(membership.community)
    return membership


# --- Organisations and communities ------------------------------------------------------------


@transaction.atomic
def organization_create(*, name: str, slug: str = "", description: str = "") -> Organization:
    """Create a firm. Platform-admin only; called from the Django admin and the seed commands."""
    slug = slug or slugify(name)[:60]
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("This address is already taken.")})
    return Organization.objects.create(name=name, slug=slug, description=description)


@transaction.atomic
def organization_add_staff(
    *, organization: Organization, user: User, role: str = "staff"
) -> OrganizationStaff:
    staff, _created = OrganizationStaff.objects.get_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    user.__dict__.pop("_org_staff_ids", None)
    return staff


def community_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    slug: str = "",
    tagline: str = "",
    description: str = "",
    visibility: str = Community.Visibility.PUBLIC,
    join_policy: str = Community.JoinPolicy.OPEN,
    application_question: str = "",
) -> Community:
    """Create a community in the organisation; the creator becomes its first manager.

    Only staff of that organisation (or a platform admin) may.
    """
    require(actor, "communities.create_community", organization)
    slug = (slug or slugify(name))[:60]
    community = Community(
        organization=organization,
        name=name.strip(),
        slug=slug,
        tagline=tagline.strip(),
        description=description.strip(),
        visibility=visibility,
        join_policy=join_policy,
        application_question=application_question.strip(),
        created_by=actor,
    )
    community.full_clean()
    try:
        with transaction.atomic():
            community.save()
            membership = Membership.objects.create(
                community=community,
                user=actor,
                role=Membership.Role.MANAGER,
                status=ACTIVE,
                joined_at=timezone.now(),
            )
            _log_change(membership=membership, actor=actor, from_role="", from_status="")
            _adjust_member_count(community, False, True)
            event_record(
                kind="community.created",
                payload={"community_id": community.pk, "name": community.name},
                actor=actor,
                community_id=community.pk,
            )
    except IntegrityError as exc:
        raise ValidationError({"slug": _("This address is already taken.")}) from exc
    return community


COMMUNITY_EDITABLE_FIELDS = (
    "name",
    "tagline",
    "description",
    "visibility",
    "join_policy",
    "application_question",
)


@transaction.atomic
def community_update(*, actor: User, community: Community, **changes: Any) -> Community:
    """Change a community's settings. Managers, organisation staff and admins only."""
    require(actor, "communities.manage_community", community)
    unknown = set(changes) - set(COMMUNITY_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    community = Community.objects.select_for_update().get(pk=community.pk)
    for field, value in changes.items():
        setattr(community, field, value.strip() if isinstance(value, str) else value)
    community.full_clean()
    community.save(update_fields=[*changes, "updated_at"])
    return community


# --- Joining and leaving ----------------------------------------------------------------------


@transaction.atomic
def membership_join(
    *,
    user: User,
    community: Community,
    answer: str = "",
    consents: Iterable[str] = (),
    channel: str = "join",
) -> Membership:
    """Join an open community, or ask to join one that approves requests.

    ``consents`` are the keys of the purposes the person ticked on the join form; they are
    recorded in this transaction (``communities.join_hooks``), and a required one left out is a
    ``ValidationError`` on ``consents`` with nothing written.

    Returns the membership: active for an open community, pending for a request. Raises
    ``Conflict`` if the person is already in (or waiting), ``PermissionDenied`` for
    invitation-only communities and banned people, ``ValidationError`` for a missing answer.
    """
    if not user.is_authenticated:
        require(user, "communities.join_community", community)  # "sign in to join"
    community = Community.objects.select_for_update().get(pk=community.pk)
    existing = Membership.objects.select_for_update().filter(community=community, user=user).first()
    remember_membership(community, user, existing)  # the rule reads the locked row
    if existing is not None and existing.status != Membership.Status.BANNED:
        if existing.status == Membership.Status.PENDING:
            raise Conflict(_("Your request to join is already waiting for a manager."), "pending")
        if existing.status in (ACTIVE, Membership.Status.SUSPENDED):
            raise Conflict(_("You are already a member of this community."), "already_member")
    # The rule (communities/rules.py) says who may join: anyone signed in, the firm's staff and
    # platform admins included, of an open or by-request community they know; never when banned.
    require(user, "communities.join_community", community)
    answer = answer.strip()
    if community.join_policy == Community.JoinPolicy.REQUEST:
        if community.application_question and not answer:
            raise ValidationError({"answer": _("Please answer the community's question.")})
        target = Membership.Status.PENDING
    else:
        target = ACTIVE
    if existing is None:
        membership = Membership.objects.create(
            community=community,
            user=user,
            role=Membership.Role.MEMBER,
            status=target,
            application_answer=answer,
            joined_at=timezone.now() if target == ACTIVE else None,
        )
        _log_change(membership=membership, actor=user, from_role="", from_status="")
        _adjust_member_count(community, False, target == ACTIVE)
        forget_membership(community)
    else:
        existing.application_answer = answer
        existing.decision_message = ""
        membership = _set_membership(
            membership=existing,
            actor=user,
            role=Membership.Role.MEMBER,
            status=target,
            extra_fields=("application_answer", "decision_message"),
        )
    join_hooks.record(user=user, community=community, granted=consents, channel=channel)
    event_record(
        kind="membership.requested" if target != ACTIVE else "membership.joined",
        payload={"membership_id": membership.pk, "community_id": community.pk},
        actor=user,
        community_id=community.pk,
    )
    return membership


def _active_manager_count(community: Community) -> int:
    return Membership.objects.filter(
        community=community, status=ACTIVE, role=Membership.Role.MANAGER
    ).count()


@transaction.atomic
def membership_leave(*, user: User, community: Community) -> Membership:
    """Leave a community (or withdraw a pending request). The last manager cannot leave."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("community")
        .filter(community=community, user=user)
        .first()
    )
    if membership is None or membership.status not in (
        ACTIVE,
        Membership.Status.SUSPENDED,
        Membership.Status.PENDING,
    ):
        raise Conflict(_("You are not a member of this community."), "not_member")
    if (
        membership.role == Membership.Role.MANAGER
        and membership.status == ACTIVE
        and _active_manager_count(community) <= 1
    ):
        raise Conflict(
            _("You are the last manager. Make someone else a manager before you leave."),
            "last_manager",
        )
    if membership.status == Membership.Status.SUSPENDED:
        # Leaving must not be a way around a suspension; the record stays as it is.
        raise Conflict(_("You cannot leave while suspended."), "suspended")
    return _set_membership(
        membership=membership,
        actor=user,
        status=Membership.Status.LEFT,
        role=Membership.Role.MEMBER,
    )


@transaction.atomic
def join_request_decide(
    *, actor: User, membership: Membership, approve: bool, message: str = ""
) -> Membership:
    """Approve or decline a pending join request, with a message the applicant sees."""
    membership = (
        Membership.objects.select_for_update().select_related("community").get(pk=membership.pk)
    )
    community = membership.community
    require(actor, "communities.decide_join_request", community)
    if membership.status != Membership.Status.PENDING:
        raise Conflict(_("This request has already been decided."), "already_decided")
    membership.decision_message = message.strip()
    _set_membership(
        membership=membership,
        actor=actor,
        status=ACTIVE if approve else Membership.Status.DECLINED,
        reason=membership.decision_message,
        extra_fields=("decision_message",),
    )
    event_record(
        kind="membership.approved" if approve else "membership.declined",
        payload={
            "membership_id": membership.pk,
            "community_id": community.pk,
            "user_id": membership.user_id,
            # The name as it was when decided, for the applicant's notification and email.
            "community_name": community.name,
            "message": membership.decision_message,
        },
        actor=actor,
        community_id=community.pk,
    )
    return membership


@transaction.atomic
def membership_change_role(
    *, actor: User, membership: Membership, role: str, reason: str = ""
) -> Membership:
    """Make an active member a member, moderator or manager. Keeps at least one manager."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose member, moderator or manager.")})
    membership = (
        Membership.objects.select_for_update().select_related("community").get(pk=membership.pk)
    )
    community = membership.community
    require(actor, "communities.change_role", community)
    if membership.status != ACTIVE:
        raise Conflict(_("Only active members can be given a role."), "not_active")
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.MANAGER and _active_manager_count(community) <= 1:
        raise Conflict(_("A community needs at least one manager."), "last_manager")
    _set_membership(membership=membership, actor=actor, role=role, reason=reason.strip())
    event_record(
        kind="membership.role_changed",
        payload={"membership_id": membership.pk, "user_id": membership.user_id, "role": role},
        actor=actor,
        community_id=community.pk,
    )
    return membership


# --- Invitations ------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *, actor: User, community: Community, email: str, role: str = "member", message: str = ""
) -> tuple[Invitation, str]:
    """Invite an email address; returns the invitation and its raw token (sent by email only).

    Managers may invite members and moderators; inviting a manager needs a manager too.
    An open invitation for the same address is replaced (revoked) by the new one.
    """
    require(actor, "communities.invite", community)
    email = (email or "").strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose member, moderator or manager.")})

    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid email address.")}) from exc
    if Membership.objects.filter(
        community=community, user__email__iexact=email, status__in=[ACTIVE, "suspended"]
    ).exists():
        raise Conflict(_("This person is already a member."), "already_member")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            community=community,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            community=community,
            email=email,
            role=role,
            message=message.strip(),
            token_hash=hash_token(token),
            invited_by=actor,
            expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        event_record(
            kind="invitation.created",
            payload={
                "invitation_id": invitation.pk,
                "email": email,
                "community_name": community.name,
                "inviter_name": str(actor.public_name),
                "message": invitation.message,
                "accept_path": reverse("communities:invitation", kwargs={"token": token}),
                "expires_at": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
            },
            actor=actor,
            community_id=community.pk,
        )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    require(actor, "communities.revoke_invitation", invitation.community)
    if invitation.state != "open":
        raise Conflict(_("This invitation can no longer be revoked."), "not_open")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_check(*, token: str) -> Invitation:
    """The open invitation for a token, or a clear error why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("community", "invited_by")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    state = invitation.state
    if state == "accepted":
        raise Conflict(_("This invitation has already been used."), "used")
    if state == "revoked":
        raise Conflict(_("This invitation was withdrawn by the community."), "revoked")
    if state == "expired":
        raise Conflict(
            _("This invitation has expired. Ask the community for a new one."), "expired"
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *, user: User, token: str, consents: Iterable[str] = (), channel: str = "join"
) -> Membership:
    """Accept an invitation: the invitee becomes an active member with the invited role.

    ``consents`` as for :func:`membership_join`: the community's required purposes must be
    among them, recorded in this transaction.

    Single use: the invitation row is locked, so two concurrent accepts cannot both succeed.
    The signed-in account's email must be the invited address.
    """
    invitation = invitation_check(token=token)
    invitation = (
        Invitation.objects.select_for_update().select_related("community").get(pk=invitation.pk)
    )
    if invitation.state != "open":  # lost a race with another accept
        raise Conflict(_("This invitation has already been used."), "used")
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(
            _("This invitation was sent to another email address. Sign in with that address.")
        )
    community = invitation.community
    membership = (
        Membership.objects.select_for_update().filter(community=community, user=user).first()
    )
    if membership is not None and membership.status == Membership.Status.BANNED:
        raise PermissionDenied(_("You have been banned from this community."))
    if membership is not None and membership.status in (ACTIVE, Membership.Status.SUSPENDED):
        raise Conflict(_("You are already a member of this community."), "already_member")
    if membership is None:
        membership = Membership.objects.create(
            community=community,
            user=user,
            role=invitation.role,
            status=ACTIVE,
            joined_at=timezone.now(),
        )
        _log_change(
            membership=membership,
            actor=user,
            from_role="",
            from_status="",
            reason=_("Accepted an invitation"),
        )
        _adjust_member_count(community, False, True)
        forget_membership(community)
    else:
        _set_membership(
            membership=membership,
            actor=user,
            role=invitation.role,
            status=ACTIVE,
            reason=_("Accepted an invitation"),
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    join_hooks.record(user=user, community=community, granted=consents, channel=channel)
    event_record(
        kind="invitation.accepted",
        payload={"invitation_id": invitation.pk, "membership_id": membership.pk},
        actor=user,
        community_id=community.pk,
    )
    return membership


@transaction.atomic
def membership_grant(
    *, actor: User, community: Community, user: User, role: str, reason: str = ""
) -> Membership:
    """Make a person an active member with ``role`` directly (organisation staff and admins).

    For staffing a new community and for seeds; members are otherwise invited or approved.
    """
    require(actor, "communities.add_member", community.organization)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose member, moderator or manager.")})
    membership = (
        Membership.objects.select_for_update().filter(community=community, user=user).first()
    )
    if membership is None:
        membership = Membership.objects.create(
            community=community, user=user, role=role, status=ACTIVE, joined_at=timezone.now()
        )
        _log_change(membership=membership, actor=actor, from_role="", from_status="", reason=reason)
        _adjust_member_count(community, False, True)
        forget_membership(community)
        return membership
    if membership.status == Membership.Status.BANNED:
        raise Conflict(_("This person is banned from the community."), "banned")
    return _set_membership(
        membership=membership, actor=actor, role=role, status=ACTIVE, reason=reason
    )


@transaction.atomic
def membership_set_standing(
    *,
    actor: User,
    membership: Membership,
    status: str,
    reason: str,
    until: datetime | None = None,
) -> Membership:
    """Suspend (optionally until a time), ban, or restore a member to active standing.

    For the moderation services, which check the moderator's permission and record the
    moderation log entry; this keeps the counter and the membership history exact.
    """
    allowed = (ACTIVE, Membership.Status.SUSPENDED, Membership.Status.BANNED)
    if status not in allowed:
        raise ValidationError({"status": _("Choose active, suspended or banned.")})
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=membership.pk)
    )
    if membership.role == Membership.Role.MANAGER and status != ACTIVE:
        raise Conflict(_("Managers cannot be suspended or banned here."), "manager")
    membership.suspended_until = until if status == Membership.Status.SUSPENDED else None
    was_active = membership.status == ACTIVE
    from_role, from_status = membership.role, membership.status
    membership.status = status
    membership.save(update_fields=["status", "suspended_until", "updated_at"])
    _log_change(
        membership=membership,
        actor=actor,
        from_role=from_role,
        from_status=from_status,
        reason=reason,
    )
    _adjust_member_count(membership.community, was_active, status == ACTIVE)
    forget_membership(membership.community)
    return membership
