"""Who may call a knowledge API view: the community gate every view under
/communities/{slug}/ passes, and the permission and participation checks that answer 403
before a body is read."""

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cocreate.api.views import ApiView, check_id
from cocreate.errors import ValidationError
from communities import selectors as community_selectors
from communities.models import Community, Membership
from communities.rules import membership_for

from .. import selectors
from ..models import Challenge, Contribution


def allowed(user, perm: str, obj: Any) -> bool:
    # rules.has_perm, as the services use: Django's superuser shortcut in user.has_perm would
    # let a platform admin past checks that the role table in knowledge/rules.py refuses.
    return rules.has_perm(perm, user, obj)


def require(user, perm: str, obj: Any, message: str) -> None:
    """Refuse with 403 before reading the body, so a forbidden request never reads as 400."""
    if not allowed(user, perm, obj):
        raise PermissionDenied(message)


def is_schema_view(view: ApiView) -> bool:
    return getattr(view, "swagger_fake_view", False)


class KnowledgeView(ApiView):
    """A view under /communities/{slug}/: the community is fetched once and the caller must be
    allowed to see its knowledge (members, the firm's staff, admins); anyone else gets 404."""

    def get_community(self) -> Community:
        if not hasattr(self, "_community"):
            community = community_selectors.community_get(
                user=self.request.user, slug=self.kwargs["slug"]
            )
            if not allowed(self.request.user, "knowledge.view_knowledge", community):
                membership = membership_for(self.request.user, community)
                if membership is not None and membership.status == Membership.Status.BANNED:
                    # They know the community (and their ban): say so rather than 404.
                    raise PermissionDenied(
                        selectors.participation_refusal(self.request.user, community)
                    )
                raise Http404
            self._community = community
        return self._community

    def get_challenge(self) -> Challenge:
        return selectors.challenge_get(
            user=self.request.user,
            community=self.get_community(),
            challenge_id=check_id(self.kwargs["challenge_id"]),
        )

    def get_contribution(self) -> Contribution:
        return selectors.contribution_get(
            user=self.request.user,
            community=self.get_community(),
            contribution_id=check_id(self.kwargs["contribution_id"]),
        )

    def find_challenge(
        self, challenge_id: int | None, field: str = "challenge"
    ) -> Challenge | None:
        """A challenge named in a body or filter: missing or invisible ones are a 400 on
        ``field``, not a 404 of the whole request."""
        if challenge_id is None:
            return None
        challenge = (
            selectors.challenges_for(user=self.request.user, community=self.get_community())
            .filter(pk=challenge_id)
            .first()
        )
        if challenge is None:
            raise ValidationError({field: _("Choose a challenge of this community.")})
        return challenge


def require_participation(user, community: Community) -> None:
    """403 with the reason (suspended until when, banned, not a member) unless the caller may
    post, comment and support; checked before the body is read."""
    refusal = selectors.participation_refusal(user, community)
    if refusal:
        raise PermissionDenied(refusal)
