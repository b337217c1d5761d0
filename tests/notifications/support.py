"""Shared setup for the notification tests: a community with a manager, an author with a
contribution, and a peer to mention; ``delivered`` runs what commits hand to Celery; ``process``
delivers one event to the notifications consumer as its task would."""

from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from communities.models import Community, Membership
from events.models import OutboxEvent
from events.services import delivery_process
from knowledge import services as knowledge

from ..factories import CommunityFactory, MembershipFactory, OrganizationFactory, UserFactory
from ..knowledge.factories import make_contribution, make_toolkit


@dataclass
class Lab:
    community: Community
    manager: object
    author: object
    peer: object
    contribution: object
    toolkit: object

    def mention(self, *, by=None, body: str | None = None, official: bool = False):
        """``by`` (default: the author) comments on the contribution mentioning the peer."""
        return knowledge.comment_create(
            author=by or self.author,
            discussion=self.contribution.discussion,
            body=body or f"What do you think, @{self.peer.handle}?",
            official=official,
        )


def make_lab(*, slug: str = "trail-bike-lab", name: str = "Trail Bike Lab") -> Lab:
    organization = OrganizationFactory()
    community = CommunityFactory(
        organization=organization, slug=slug, name=name, join_policy=Community.JoinPolicy.OPEN
    )
    people = {}
    for key, display, role in (
        ("manager", "Mia Manager", Membership.Role.MANAGER),
        ("author", "Ana Author", Membership.Role.MEMBER),
        ("peer", "Pete Peer", Membership.Role.MEMBER),
    ):
        people[key] = UserFactory(display_name=display)
        MembershipFactory(community=community, user=people[key], role=role)
    toolkit = make_toolkit(actor=people["manager"], community=community)
    contribution = make_contribution(
        author=people["author"], community=community, toolkit=toolkit, title="Wax the chain"
    )
    return Lab(community=community, toolkit=toolkit, contribution=contribution, **people)


@pytest.fixture
def lab(db) -> Lab:
    return make_lab()


@contextmanager
def delivered(capture):
    """Run the block, then every after-commit callback (events to Celery, eager in tests)."""
    with capture(execute=True):
        yield


CONSUMER = "notifications"


def process(event_id: int) -> bool:
    """Deliver one event to the notifications consumer (what its task does, in-process)."""
    return delivery_process(consumer=CONSUMER, event_id=event_id)


def unprocessed_events():
    """Events the notifications consumer has still to process."""
    return OutboxEvent.objects.filter(
        deliveries__consumer=CONSUMER, deliveries__processed_at__isnull=True
    )
