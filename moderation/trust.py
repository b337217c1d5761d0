"""Trust tiers: a member is *new* until they have enough approved posts or enough days in the
community (each community sets both); new members are pre-moderated and more tightly limited."""

from datetime import timedelta

from django.utils import timezone

from communities.models import Community, Membership
from knowledge.models import Comment, Contribution, ModerationState

from .models import ModerationSettings


def settings_for(community: Community) -> ModerationSettings:
    """The community's settings, or unsaved defaults when it has none."""
    found = getattr(community, "_moderation_settings", None)
    if found is None:
        found = ModerationSettings.objects.filter(community=community).first()
        found = found or ModerationSettings(community=community)
        community.__dict__["_moderation_settings"] = found  # a memo on this instance
    return found


def is_established(user, community: Community) -> bool:
    """Established: staff roles, or joined long enough ago, or enough approved posts."""
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership is None or membership.effective_status != Membership.Status.ACTIVE:
        return False
    if membership.role in (Membership.Role.MODERATOR, Membership.Role.MANAGER):
        return True
    conf = settings_for(community)
    if membership.joined_at and membership.joined_at <= timezone.now() - timedelta(
        days=conf.established_after_days
    ):
        return True
    approved = (
        Contribution.objects.filter(
            community=community, author=user, moderation_state=ModerationState.VISIBLE
        )
        .exclude(status=Contribution.Status.DRAFT)
        .count()
    )
    if approved >= conf.established_after_posts:
        return True
    approved += Comment.objects.filter(
        discussion__contribution__community=community,
        author=user,
        moderation_state=ModerationState.VISIBLE,
    ).count()
    return approved >= conf.established_after_posts
