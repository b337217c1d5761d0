"""The base of every knowledge API view under /communities/{slug}/: a ``CommunityEndpoint``
whose community must show its knowledge (members, the firm's staff, admins; 404 to anyone
else, 403 with the reason to a banned member), with the challenge or contribution of the path
resolved through ``knowledge.access`` before the handler runs."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from cocreate.api.views import ApiView, check_id
from cocreate.errors import ValidationError
from cocreate.permissions import require
from communities.api_base import CommunityEndpoint
from communities.models import Community

from .. import selectors
from ..access import VIEW_KNOWLEDGE, access_challenge, access_contribution
from ..models import Challenge, Contribution


def is_schema_view(view: ApiView) -> bool:
    return getattr(view, "swagger_fake_view", False)


class KnowledgeView(CommunityEndpoint):
    """A knowledge view: ``permissions`` per method as in ``CommunityEndpoint``; a
    ``challenge_id`` or ``contribution_id`` in the path is resolved in ``convert_args`` (the
    same 404 for missing and invisible)."""

    within = VIEW_KNOWLEDGE

    challenge: Challenge
    contribution: Contribution

    def convert_args(self, request: Request, *args: Any, **kwargs: Any) -> None:
        community = self.get_community()
        if "challenge_id" in kwargs:
            self.challenge = access_challenge(
                request.user, check_id(kwargs["challenge_id"]), community=community
            )
        if "contribution_id" in kwargs:
            self.contribution = access_contribution(
                request.user, check_id(kwargs["contribution_id"]), community=community
            )

    def get_challenge(self) -> Challenge:
        return self.challenge

    def get_contribution(self) -> Contribution:
        return self.contribution

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
    require(user, "knowledge.contribute", community)
