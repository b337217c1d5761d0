"""One discussion per contribution and per challenge: comments and follows hang on it, its owner
is found without a query once loaded, and deleting the owner (by any path) takes the thread
along, as the old cascading foreign keys did; the thread cannot go from under its owner."""

import pytest
from django.db.models import RestrictedError

from cocreate.errors import ValidationError
from knowledge import services
from knowledge.models import Challenge, Comment, Discussion, Follow

from .factories import make_contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge(community, manager):
    return services.challenge_create(
        actor=manager, community=community, title="Quiet chains", brief="Help.", phase="open"
    )


def _talk(owner, *people):
    top = services.comment_create(author=people[0], body="First", discussion=owner.discussion)
    services.comment_create(author=people[-1], body="Reply", parent=top)
    for person in people:
        services.follow_set(user=person, discussion=owner.discussion, following=True)


def test_each_owner_has_its_own_discussion_in_its_community(idea, challenge, community):
    assert idea.discussion_id != challenge.discussion_id
    for owner in (idea, challenge):
        found = Discussion.objects.get(pk=owner.discussion_id)
        assert found.community_id == community.pk
        assert found.owner == owner


def test_the_owner_of_a_loaded_discussion_costs_no_query(
    idea, challenge, member, django_assert_num_queries
):
    services.comment_create(author=member, body="On the idea", discussion=idea.discussion)
    services.comment_create(author=member, body="On the challenge", discussion=challenge.discussion)
    comments = list(
        Comment.objects.select_related(
            "discussion__contribution", "discussion__challenge"
        ).order_by("id")
    )
    with django_assert_num_queries(0):
        owners = [c.discussion.owner for c in comments]
    assert owners == [idea, challenge]
    fresh = Challenge.objects.select_related("discussion").get(pk=challenge.pk)
    with django_assert_num_queries(0):
        assert fresh.discussion.owner == challenge


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_deleting_an_owner_takes_its_thread_along(
    how, idea, challenge, member, other_member, community, toolkit
):
    other = make_contribution(author=other_member, community=community, toolkit=toolkit)
    for owner in (idea, challenge, other):
        _talk(owner, member, other_member)
    for owner in (idea, challenge):
        if how == "instance":
            owner.delete()
        else:
            type(owner).objects.filter(pk=owner.pk).delete()
    assert list(Discussion.objects.values_list("pk", flat=True)) == [other.discussion_id]
    assert set(Comment.objects.values_list("discussion_id", flat=True)) == {other.discussion_id}
    assert set(Follow.objects.values_list("discussion_id", flat=True)) == {other.discussion_id}


def test_deleting_the_community_takes_every_thread(challenge, member, community):
    # A community whose knowledge is only challenges (contributions protect their toolkit
    # versions and authors, so a community with contributions is not deleted at all).
    _talk(challenge, member)
    assert Discussion.objects.exists()
    community.delete()
    assert not Discussion.objects.exists()
    assert not Comment.objects.exists() and not Follow.objects.exists()
    assert not Challenge.objects.exists()


def test_a_thread_cannot_be_deleted_from_under_its_owner(idea, member):
    _talk(idea, member)
    with pytest.raises(RestrictedError):
        Discussion.objects.filter(pk=idea.discussion_id).delete()
    assert Comment.objects.filter(discussion=idea.discussion).count() == 2


def test_one_follow_per_person_and_discussion(idea, other_member):
    for _ in range(2):
        services.follow_set(user=other_member, discussion=idea.discussion, following=True)
    assert Follow.objects.filter(user=other_member, discussion=idea.discussion).count() == 1
    services.follow_set(user=other_member, discussion=idea.discussion, following=False)
    assert not Follow.objects.filter(user=other_member).exists()


def test_a_reply_must_stay_in_its_parents_discussion(idea, challenge, member):
    top = services.comment_create(author=member, body="Top", discussion=idea.discussion)
    with pytest.raises(ValidationError):
        services.comment_create(
            author=member, body="Elsewhere", discussion=challenge.discussion, parent=top
        )
    assert Comment.objects.count() == 1
