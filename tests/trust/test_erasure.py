"""Account erasure: the person is pseudonymised everywhere (every text column of every table,
and the cache), what they contributed stays, every count is unchanged; a second erasure and a
wrong password are clear errors that write nothing."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from cocreate.errors import Conflict
from communities.models import Community, Membership
from events.models import OutboxEvent
from knowledge.models import Challenge, Comment, Contribution, Support
from notifications.models import Notification
from tests.factories import TEST_PASSWORD
from trust.models import DataExport, Erasure
from trust.services import erasure
from trust.services import export as exports

from ..conftest import require_or_skip, uses_postgres
from .support import build_export, rich_world

pytestmark = pytest.mark.django_db

TEXT_TYPES = ("text", "character varying", "json", "jsonb")


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s) "
            "ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        return cursor.fetchall()


def _hits(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text column anywhere holding a needle."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for needle in needles:
                cursor.execute(
                    f"SELECT count(*) FROM {quote(table)} "  # noqa: S608 — names from the catalogue
                    f"WHERE {quote(column)}::text ILIKE %s",
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, column, needle))
    return found


def _cache_hits(needles: list[str]) -> list[str]:
    client = cache._cache.get_client(write=True)
    prefix = cache.make_key("").rsplit(":", 2)[0]
    found = []
    for key in client.scan_iter(match=f"{prefix}:*"):
        value = client.get(key) or b""
        for needle in needles:
            for form in (needle, needle.lower()):
                if form.encode() in value or form.encode() in key:
                    found.append(f"{key!r} holds {needle}")
    return found


def _counts() -> dict:
    return {
        "users": User.objects.count(),
        "members": Membership.objects.count(),
        "active_members": Membership.objects.filter(status="active").count(),
        "member_count": Community.objects.aggregate(s=Sum("member_count"))["s"],
        "contributions": Contribution.objects.count(),
        "comments": Comment.objects.count(),
        "supports": Support.objects.count(),
        "support_count": Contribution.objects.aggregate(s=Sum("support_count"))["s"],
        "comment_count": Contribution.objects.aggregate(s=Sum("comment_count"))["s"],
        "challenge_comments": Challenge.objects.aggregate(s=Sum("comment_count"))["s"],
        "challenge_contributions": Challenge.objects.aggregate(s=Sum("contribution_count"))["s"],
        "reply_count": Comment.objects.aggregate(s=Sum("reply_count"))["s"],
        "by_member": Contribution.objects.filter(author__email__startswith="erased-").count()
        + Contribution.objects.exclude(author__email__startswith="erased-").count(),
    }


def _warm_cache(w, member) -> None:
    """Cached pages and the cached user row hold the member's name (anonymous and signed-in
    views of the contribution they wrote and of the one that mentions them)."""
    pages = [w.contribution.get_absolute_url(), w.extra["other_contribution"].get_absolute_url()]
    browsers = [Client(), Client(), Client()]
    browsers[0].force_login(w.users["manager"])
    browsers[1].force_login(w.users["moderator"])
    browsers[2].force_login(member)
    for browser in browsers:
        for page in pages:
            assert browser.get(page).status_code == 200
    assert browsers[2].get("/accounts/profile/").status_code == 200


@pytest.fixture
def erased_world(django_capture_on_commit_callbacks):
    require_or_skip(uses_postgres(), "the scan reads PostgreSQL's catalogue")
    require_or_skip(hasattr(cache._cache, "get_client"), "the cache scan reads Redis")
    with django_capture_on_commit_callbacks(execute=True):
        w = rich_world()
    member = w.users["member"]
    build_export(member, django_capture_on_commit_callbacks)
    _warm_cache(w, member)
    needles = [member.email, "zq-second@example.test", member.display_name, member.handle]
    assert _hits(needles), "the set-up must leave the member's words somewhere to erase"
    assert _cache_hits(needles), "the set-up must leave the member's words in the cache"
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        done = erasure.account_erase(user=member, password=TEST_PASSWORD)
    return w, member, needles, before, done


def test_erasure_leaves_no_trace_of_the_person_in_any_text_column(erased_world):
    _w, _member, needles, _before, _done = erased_world
    assert _hits(needles) == []


def test_erasure_leaves_no_trace_of_the_person_in_the_cache(erased_world):
    _w, _member, needles, _before, _done = erased_world
    assert _cache_hits(needles) == []


def test_erasure_keeps_every_count(erased_world):
    _w, _member, _needles, before, _done = erased_world
    assert _counts() == before


def test_the_erased_member_is_a_pseudonym_and_cannot_sign_in(erased_world):
    w, member, _needles, _before, done = erased_world
    member.refresh_from_db()
    assert done.pseudonym == f"Former member {member.pk}" == member.display_name
    assert member.public_name == done.pseudonym
    assert not member.is_active and not member.has_usable_password() and member.handle is None
    assert member.bio == "" and member.expertise_tags == []
    assert not Client().login(email="zelda.q@example.test", password=TEST_PASSWORD)
    assert not Token.objects.filter(user=member).exists()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not Notification.objects.filter(recipient=member).exists()
    # Their posts stay, under the pseudonym.
    assert Contribution.objects.filter(author=member).count() == 2
    assert Comment.objects.filter(author=member).count() == 2


def test_mentions_in_others_text_name_the_pseudonym(erased_world):
    w, member, _needles, _before, done = erased_world
    comment = Comment.objects.get(pk=w.extra["mentioning_comment"].pk)
    assert comment.body == (f"What do you think, {done.pseudonym}? Ask {done.pseudonym} too.")
    assert done.pseudonym in comment.body_html and "@" not in comment.body_html.split(">", 1)[1]


def test_the_sessions_and_token_of_the_erased_member_end(django_capture_on_commit_callbacks):
    w = rich_world()
    member = w.users["member"]
    browser = Client()
    browser.force_login(member)
    assert browser.get("/accounts/data/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        erasure.account_erase(user=member, password=TEST_PASSWORD)
    assert browser.get("/accounts/data/").status_code == 302  # to the login page
    assert not Token.objects.filter(user=member).exists()
    from django.contrib.sessions.models import Session  # noqa: PLC0415

    assert not any(
        s.get_decoded().get("_auth_user_id") == str(member.pk) for s in Session.objects.all()
    )


def test_the_archives_of_the_erased_member_are_deleted(member, django_capture_on_commit_callbacks):
    export = build_export(member, django_capture_on_commit_callbacks)
    path = exports.export_path(export)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        erasure.account_erase(user=member, password=TEST_PASSWORD)
    assert not path.exists()
    assert DataExport.objects.get(pk=export.pk).status == "expired"


def test_a_second_erasure_is_refused_and_writes_nothing(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erasure.account_erase(user=member, password=TEST_PASSWORD)
    member.refresh_from_db()
    events, state = OutboxEvent.objects.count(), User.objects.filter(pk=member.pk).values().get()
    with pytest.raises(Conflict) as refused:
        erasure.account_erase(user=member, password=TEST_PASSWORD)
    assert refused.value.code == "already_erased"
    assert OutboxEvent.objects.count() == events and Erasure.objects.count() == 1
    assert User.objects.filter(pk=member.pk).values().get() == state


def test_a_wrong_password_is_a_field_error_and_writes_nothing(member):
    state = User.objects.filter(pk=member.pk).values().get()
    with pytest.raises(ValidationError) as refused:
        erasure.account_erase(user=member, password="not-my-password")
    assert "password" in refused.value.message_dict
    assert User.objects.filter(pk=member.pk).values().get() == state
    assert not Erasure.objects.exists()


def test_an_append_only_log_naming_the_person_does_not_stop_the_erasure(
    django_capture_on_commit_callbacks,
):
    """The moderation log refuses updates (a trigger on PostgreSQL): its rows stay as the proof
    they are, the rest of the erasure goes through."""
    from moderation import services as moderation  # noqa: PLC0415
    from moderation.models import ModerationAction  # noqa: PLC0415

    w = rich_world()
    member = w.users["member"]
    warning = moderation.moderation_act(
        actor=w.extra["other_moderator"],
        kind="warn",
        reason="Zelda Quintero, please stay on topic.",
        member=member,
        community=w.community,
    )
    with django_capture_on_commit_callbacks(execute=True):
        erasure.account_erase(user=member, password=TEST_PASSWORD)
    member.refresh_from_db()
    assert member.display_name == f"Former member {member.pk}"
    comment = Comment.objects.get(pk=w.extra["mentioning_comment"].pk)
    assert "@zquintero" not in comment.body
    reason = ModerationAction.objects.get(pk=warning.pk).reason
    if uses_postgres():
        assert reason == "Zelda Quintero, please stay on topic."  # the trigger kept it
    else:
        assert reason == f"Former member {member.pk}, please stay on topic."
