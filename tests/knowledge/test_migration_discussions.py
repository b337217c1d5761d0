"""Comments and follows moved from their contribution-or-challenge foreign keys onto one
discussion per owner without loss: every owner gets its own discussion (in its community, with
its lock and its creation time), every comment and follow points at its owner's, and reversing
the migrations puts the old foreign keys and locks back."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from knowledge.models import Challenge, Comment, Contribution, Discussion, Follow

from ..factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("knowledge", "0006_moderation_and_replies_indexes")]
DATA_MIGRATION = "knowledge.migrations.0009_discussions_for_owners"


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():
    """Whatever happens, the test leaves the schema as every other test expects it."""
    yield
    MigrationExecutor(connection).migrate(_latest())


def _old_rows(old, communities, people):
    """Old-shape rows: contributions and challenges (some locked) in two communities, comments
    and replies on both kinds, follows on both kinds. Returns what each row belonged to."""
    models = {name: old.get_model("knowledge", name) for name in ("Contribution", "Challenge")}
    now = timezone.now()
    owners = []  # (kind, pk, community_id, is_locked, created_at)
    for n, community in enumerate(communities):
        toolkit = old.get_model("knowledge", "Toolkit").objects.create(community_id=community.pk)
        version = old.get_model("knowledge", "ToolkitVersion").objects.create(
            toolkit=toolkit, number=1, title="Share an idea"
        )
        for i in range(3):
            created = now - timedelta(days=10 * n + i)
            row = models["Contribution"].objects.create(
                community_id=community.pk,
                toolkit_version=version,
                author_id=people[i].pk,
                kind="idea",
                title=f"Idea {n}.{i}",
                status="submitted",
                is_locked=i == 1,
                created_at=created,
            )
            owners.append(("contribution", row.pk, community.pk, i == 1, created))
        for i in range(2):
            created = now - timedelta(days=10 * n + i, hours=5)
            row = models["Challenge"].objects.create(
                community_id=community.pk,
                title=f"Challenge {n}.{i}",
                brief="Help us.",
                phase="open",
                is_locked=i == 0,
                created_at=created,
            )
            owners.append(("challenge", row.pk, community.pk, i == 0, created))
    OldComment = old.get_model("knowledge", "Comment")
    OldFollow = old.get_model("knowledge", "Follow")
    comments, follows = {}, set()
    for number, (kind, pk, _community, _locked, _created) in enumerate(owners):
        for t in range(number % 3 + 1):
            top = OldComment.objects.create(
                **{f"{kind}_id": pk}, author_id=people[t % 3].pk, body=f"Top {t}"
            )
            comments[top.pk] = (kind, pk, None)
            for r in range(t):
                reply = OldComment.objects.create(
                    **{f"{kind}_id": pk}, parent=top, author_id=people[r].pk, body=f"Re {r}"
                )
                comments[reply.pk] = (kind, pk, top.pk)
        for person in people[: number % 3 + 1]:
            OldFollow.objects.create(**{f"{kind}_id": pk}, user_id=person.pk)
            follows.add((person.pk, kind, pk))
    return owners, comments, follows


def test_every_comment_and_follow_moves_to_its_owners_discussion(back_to_latest, monkeypatch):
    # Batches of two owners and id ranges of three rows: every loop runs several times.
    data = importlib.import_module(DATA_MIGRATION)
    monkeypatch.setattr(data, "BATCH", 2)
    monkeypatch.setattr(data, "ID_RANGE", 3)
    people = [UserFactory() for _ in range(3)]
    communities = [CommunityFactory(), CommunityFactory()]
    owners, comments, follows = _old_rows(_migrate(BEFORE), communities, people)
    assert len(comments) > 20 and len(follows) > 10

    _migrate(_latest())

    models = {"contribution": Contribution, "challenge": Challenge}
    thread_of = {}
    for kind, pk, community_id, locked, created in owners:
        owner = models[kind].objects.select_related("discussion").get(pk=pk)
        thread = owner.discussion
        assert (thread.community_id, thread.is_locked, thread.created_at) == (
            community_id,
            locked,
            created,
        )
        assert thread.owner == owner
        thread_of[kind, pk] = thread.pk
    assert len(set(thread_of.values())) == len(owners) == Discussion.objects.count()
    moved = {c.pk: (c.discussion_id, c.parent_id) for c in Comment.objects.all()}
    assert moved == {
        pk: (thread_of[kind, owner], parent) for pk, (kind, owner, parent) in comments.items()
    }
    assert set(Follow.objects.values_list("user_id", "discussion_id")) == {
        (user, thread_of[kind, pk]) for user, kind, pk in follows
    }
    assert Follow.objects.count() == len(follows)

    # Reversed, the old foreign keys and locks are back as they were.
    old = _migrate(BEFORE)
    back = {
        c.pk: (
            ("contribution", c.contribution_id)
            if c.contribution_id
            else ("challenge", c.challenge_id),
            c.parent_id,
        )
        for c in old.get_model("knowledge", "Comment").objects.all()
    }
    assert back == {pk: ((kind, owner), parent) for pk, (kind, owner, parent) in comments.items()}
    assert {
        (
            f.user_id,
            "contribution" if f.contribution_id else "challenge",
            f.contribution_id or f.challenge_id,
        )
        for f in old.get_model("knowledge", "Follow").objects.all()
    } == follows
    for kind, pk, _community, locked, _created in owners:
        model = old.get_model("knowledge", kind.capitalize())
        assert model.objects.get(pk=pk).is_locked == locked
