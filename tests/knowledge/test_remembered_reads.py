"""What a contribution's page reads the same for every viewer is read once and remembered: a
discussion's comments (``selectors._thread_rows``; each viewer's page made from those rows is
the page the queries give) and the status timeline. Every change to what they show reaches
the very next read, the page cache aside."""

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from knowledge import selectors, services
from knowledge.access import access_contribution
from knowledge.models import Comment, Contribution
from moderation import services as moderation_services

from ..factories import MembershipFactory, UserFactory
from .factories import make_contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(community):
    user = UserFactory(display_name="Rita Reader")
    MembershipFactory(community=community, user=user)
    return user


def _thread(user, idea, **options):
    # Held as pages hold it: through the accessor, which keeps the community and membership.
    held = access_contribution(user, idea.pk, community=idea.community)
    return selectors.comment_thread(user=user, discussion=held.discussion, **options)


def _shown(thread) -> tuple:
    def one(c):
        return (
            c.pk,
            c.removed,
            c.show_moderation,
            c.by_viewer,
            c.body_html,
            c.moderation_reason,
            c.author.public_name,
            c.author.handle,
        )

    cursor = thread.next_cursor and signing.loads(thread.next_cursor, salt="cocreate.pagination")
    return (
        tuple(
            (one(t), t.reply_count, tuple(one(r) for r in t.shown_replies)) for t in thread.comments
        ),
        cursor,
    )


def _pages(user, idea) -> list:
    first = _thread(user, idea, page_size=3)
    pages = [_shown(first)]
    if first.next_cursor:
        pages.append(_shown(_thread(user, idea, page_size=3, cursor=first.next_cursor)))
    return pages


def test_each_viewer_gets_the_page_the_queries_give(
    monkeypatch, idea, member, reader, moderator, manager
):
    tops = [
        services.comment_create(
            author=(member, reader)[i % 2], discussion=idea.discussion, body=f"Top {i}"
        )
        for i in range(8)
    ]
    for i, top in enumerate(tops):
        for j in range(i % 5):
            reply = services.comment_create(
                author=(reader, member)[j % 2], parent=top, body=f"Reply {i}.{j}"
            )
            if j == 1:
                moderation_services.moderation_act(
                    actor=moderator, kind="hide", reason="Rude", comment=reply
                )
    moderation_services.moderation_act(actor=moderator, kind="hide", reason="Spam", comment=tops[1])
    services.content_set_moderation_state(state="pending", reason="Check", comment=tops[2])
    # Hidden before it was ever approved: listed for its author and moderators only.
    Comment.objects.filter(pk=tops[5].pk).update(
        moderation_state="hidden", first_approval_pending=True
    )
    services.content_set_moderation_state(state="pending", reason="Check", comment=tops[6])
    viewers = (member, reader, moderator, manager)
    remembered = {user.pk: _pages(user, idea) for user in viewers}
    monkeypatch.setattr(selectors, "THREAD_IN_MEMORY", 0)  # every discussion is "too long"
    for user in viewers:
        queried = _pages(user, idea)
        assert remembered[user.pk] == queried, user
    assert remembered[member.pk] != remembered[reader.pk] != remembered[moderator.pk]


def test_a_thread_is_remembered_and_a_bad_cursor_starts_over(idea, member, reader):
    services.comment_create(author=reader, discussion=idea.discussion, body="First.")
    _thread(member, idea)
    with CaptureQueriesContext(connection) as ctx:
        thread = selectors.comment_thread(user=member, discussion=idea.discussion)
    assert not any("knowledge_comment" in q["sql"] for q in ctx.captured_queries)
    assert [c.body_html for c in thread.comments] == ["<p>First.</p>\n"]
    other = signing.dumps([5, 7], salt="cocreate.pagination")  # a "top" feed's cursor
    assert _shown(_thread(member, idea, cursor=other)) == _shown(thread)


def test_changes_show_on_the_next_read(idea, member, reader, moderator):
    top = services.comment_create(author=reader, discussion=idea.discussion, body="Wax is messy.")
    _thread(member, idea)
    services.comment_create(author=member, parent=top, body="Use a rag.")
    thread = _thread(member, idea)
    assert thread.comments[0].reply_count == 1
    assert [r.body_html for r in thread.comments[0].shown_replies] == ["<p>Use a rag.</p>\n"]

    services.comment_edit(editor=reader, comment=top, body="Wax is fine.")
    assert _thread(member, idea).comments[0].body_html == "<p>Wax is fine.</p>\n"

    account_services.profile_update(
        user=reader,
        display_name="Rita Renamed",
        bio="",
        expertise_tags=[],
        locale="en",
        timezone="UTC",
    )
    assert _thread(member, idea).comments[0].author.public_name == "Rita Renamed"

    services.comment_mark_helpful(actor=member, comment=top, helpful=True)
    assert _thread(member, idea).comments[0].is_helpful

    moderation_services.moderation_act(actor=moderator, kind="hide", reason="Rude", comment=top)
    shown = _thread(member, idea).comments[0]
    assert shown.removed and shown.body_html == ""
    assert _thread(reader, idea).comments[0].show_moderation

    services.content_set_moderation_state(state="visible", reason="", comment=top)
    assert not _thread(member, idea).comments[0].removed


def _steps(user, idea) -> list[tuple]:
    held = access_contribution(user, idea.pk, community=idea.community)
    timeline = selectors.contribution_state(user=user, contribution=held).timeline
    return [
        (
            s.to_status,
            s.reason,
            s.actor and s.actor.public_name,
            s.related_to and s.related_to.title,
        )
        for s in timeline
    ]


def test_the_timeline_is_remembered_and_follows_changes(idea, member, manager):
    before = _steps(member, idea)
    held = access_contribution(member, idea.pk, community=idea.community)
    with CaptureQueriesContext(connection) as ctx:
        selectors.contribution_state(user=member, contribution=held)
    assert not any("knowledge_statuschange" in q["sql"] for q in ctx.captured_queries)

    services.contribution_set_status(
        actor=manager, contribution=idea, status=Contribution.Status.UNDER_REVIEW, reason="Looking"
    )
    after = _steps(member, idea)
    assert after[len(before) :] == [("under_review", "Looking", "Mia Manager", None)]

    account_services.profile_update(
        user=manager,
        display_name="Mia Renamed",
        bio="",
        expertise_tags=[],
        locale="en",
        timezone="UTC",
    )
    assert _steps(member, idea)[-1][2] == "Mia Renamed"


def test_a_step_naming_an_original_shows_its_current_title(idea, member, manager, toolkit):
    original = make_contribution(
        author=manager, community=idea.community, toolkit=toolkit, title="Oil the chain"
    )
    services.contribution_set_status(
        actor=manager,
        contribution=idea,
        status=Contribution.Status.DUPLICATE,
        reason="Same",
        related_to=original,
    )
    assert _steps(member, idea)[-1][3] == "Oil the chain"
    services.contribution_edit(
        editor=manager,
        contribution=original,
        title="Oil every chain",
        body=original.body,
        fields=original.fields,
        tags=original.tags,
    )
    assert _steps(member, idea)[-1][3] == "Oil every chain"


def _built(client, user, idea, n=[0]):  # noqa: B006 — a counter: each URL is new
    # A query parameter the page does not read: built every time, never from the page cache.
    n[0] += 1
    if client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)
    url = reverse("knowledge:contribution", args=[idea.community.slug, idea.pk])
    return client.get(f"{url}?fresh={n[0]}")


def test_the_contribution_row_follows_edits_moderation_and_names(
    client, idea, member, reader, moderator
):
    assert "Wax the chain" in _built(client, reader, idea).content.decode()
    services.contribution_edit(
        editor=member,
        contribution=idea,
        title="Wax every chain",
        body="Every link.",
        fields=idea.fields,
        tags=idea.tags,
    )
    assert "Wax every chain" in _built(client, reader, idea).content.decode()

    account_services.profile_update(
        user=member,
        display_name="Maya Renamed",
        bio="",
        expertise_tags=[],
        locale="en",
        timezone="UTC",
    )
    assert "by Maya Renamed" in _built(client, reader, idea).content.decode()

    moderation_services.moderation_act(
        actor=moderator, kind="hide", reason="Spam", contribution=idea
    )
    assert _built(client, reader, idea).status_code == 404
    assert _built(client, member, idea).status_code == 200  # its author still sees it
    services.discussion_set_locked(actor=moderator, discussion=idea.discussion, locked=True)
    assert "Discussion locked" in _built(client, member, idea).content.decode()
