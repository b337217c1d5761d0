"""What the moderation tests share: members of established standing."""

from datetime import timedelta

from django.utils import timezone

from communities.models import Membership

from ..factories import MembershipFactory, UserFactory


def established(community, name="Reporter"):
    """A member who joined 30 days ago: their flags count and their posts are not held."""
    user = UserFactory(display_name=name)
    m = MembershipFactory(community=community, user=user)
    Membership.objects.filter(pk=m.pk).update(joined_at=timezone.now() - timedelta(days=30))
    return user
