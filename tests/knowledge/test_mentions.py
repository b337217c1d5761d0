"""@mentions in comments: a mention of an active member of the community becomes a link to
their page there; anything else stays text; the link cannot carry anything but its address."""

import re
from html.parser import HTMLParser

import pytest

from communities.models import Membership
from knowledge import services
from knowledge.mentions import mention_links, mentioned_handles
from knowledge.rendering import render_markdown

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LINKS = {"maya": "/c/lab/members/7/"}
MAYA = '<a href="/c/lab/members/7/" class="mention" rel="nofollow noopener noreferrer">'


@pytest.fixture
def maya(community):
    user = UserFactory(display_name="Maya Mechanic", handle="maya")
    MembershipFactory(community=community, user=user)
    return user


def _start_tags(html: str) -> list[tuple[str, list]]:
    tags: list[tuple[str, list]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Collect().feed(html)
    return tags


def _person_url(community, user) -> str:
    return f"/c/{community.slug}/members/{user.pk}/"


# --- Parsing -----------------------------------------------------------------------------------


def test_mentioned_handles_follow_the_notification_rule():
    text = "Hi @Maya and @ana_b, mail ana@example.com, @@x, @a, (@otto)! " + "@" + "z" * 31
    assert mentioned_handles(text) == {"maya", "ana_b", "otto"}
    assert mentioned_handles("") == set()


# --- Rendering ---------------------------------------------------------------------------------


def test_a_known_handle_becomes_a_link_with_the_authors_text():
    html = render_markdown("Ask @Maya about it.", mentions=LINKS)
    assert html == f"<p>Ask {MAYA}@Maya</a> about it.</p>\n"


@pytest.mark.parametrize(
    "source",
    [
        "Ask @otto about it.",  # not in the links: unknown or not a member
        "Mail maya@example.com",  # an address, not a mention
        "Code: `@maya`",  # code is code
        "```\n@maya\n```",
        "    @maya indented code",
        "[ask @maya](https://example.com/)",  # already a link: no link inside a link
        "x_@maya",
        "@mayan",  # another handle that starts the same
    ],
)
def test_everything_else_stays_text(source):
    assert 'class="mention"' not in render_markdown(source, mentions=LINKS)


def test_mentions_inside_emphasis_lists_quotes_and_headings():
    html = render_markdown("# @maya\n\n> *@maya*\n\n- **@maya**, @maya.", mentions=LINKS)
    assert html.count(MAYA) == 4


def test_without_links_nothing_changes():
    assert render_markdown("Ask @maya.") == "<p>Ask @maya.</p>\n"


@pytest.mark.parametrize(
    "source",
    [
        '@maya"><script>alert(1)</script>',
        "@maya<img src=x onerror=alert(1)>",
        "@maya' onmouseover='alert(1)",
        '@maya" class="x" href=\'javascript:alert(1)\'',
        "[@maya](javascript:alert(1))",
        '<a href="javascript:alert(1)" class="mention">@maya</a>',
    ],
)
def test_a_mention_link_carries_only_its_address(source):
    html = render_markdown(source, mentions=LINKS)
    tags = _start_tags(html)
    assert [name for name, _attrs in tags] == ["p", "a"], html  # the rest is text
    assert tags[1][1] == [
        ("href", "/c/lab/members/7/"),
        ("class", "mention"),
        ("rel", "nofollow noopener noreferrer"),
    ]


def test_even_a_bad_address_stays_one_attribute_value():
    html = render_markdown("@maya", mentions={"maya": '/x" onclick="alert(1)'})
    assert [attrs for _tag, attrs in _start_tags(html)][1][0] == ("href", '/x" onclick="alert(1)')
    html = render_markdown("@maya", mentions={"maya": "javascript:alert(1)"})
    assert "javascript" not in html  # the sanitizer drops the address


# --- Resolving against the community -----------------------------------------------------------


def test_links_only_for_active_members_of_the_community(community, private_community, maya):
    def member(handle: str, **kwargs):
        MembershipFactory(community=community, user=UserFactory(handle=handle), **kwargs)

    member("pat", status=Membership.Status.PENDING)
    member("sue", status=Membership.Status.SUSPENDED)
    member("lee", status=Membership.Status.LEFT)
    MembershipFactory(community=private_community, user=UserFactory(handle="elsewhere"))
    links = mention_links("@Maya @pat @sue @lee @elsewhere @nobody", community=community)
    assert links == {"maya": _person_url(community, maya)}
    assert mention_links("no mentions here", community=community) == {}


def test_a_comment_stores_its_mentions_as_links(community, member, idea, maya):
    comment = services.comment_create(
        author=member, discussion=idea.discussion, body="Ask @maya or @nobody, please."
    )
    href = _person_url(community, maya)
    assert f'<a href="{href}" class="mention" rel="nofollow noopener noreferrer">@maya</a>' in (
        comment.body_html
    )
    assert "@nobody" in comment.body_html and comment.body_html.count("<a ") == 1


def test_an_edit_links_the_new_mentions(community, member, idea, maya):
    comment = services.comment_create(
        author=member, discussion=idea.discussion, body="Ask someone."
    )
    assert "<a " not in comment.body_html
    comment = services.comment_edit(editor=member, comment=comment, body="Ask @maya.")
    assert f'href="{_person_url(community, maya)}"' in comment.body_html


def test_a_link_names_the_person_not_the_handle(client, community, member, idea, maya):
    """The link points at the person's id: it keeps leading to them after a handle change
    (its text keeps the handle the author wrote)."""
    comment = services.comment_create(author=member, discussion=idea.discussion, body="Ask @maya.")
    maya.handle = "maya_m"
    maya.save(update_fields=["handle"])
    href = re.search(r'href="([^"]+)" class="mention"', comment.body_html).group(1)
    client.force_login(member)
    page = client.get(href)
    assert page.status_code == 200
    assert "Maya Mechanic" in page.content.decode() and "@maya_m" in page.content.decode()


def test_the_thread_shows_the_link_and_each_authors_handle(client, community, member, idea, maya):
    services.comment_create(author=maya, discussion=idea.discussion, body="Hello there.")
    services.comment_create(author=member, discussion=idea.discussion, body="Hi @maya!")
    client.force_login(member)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert f'<span class="k-comment-handle">@{maya.handle}</span>' in html
    assert f'<span class="k-comment-handle">@{member.handle}</span>' in html
    assert f'<a href="{_person_url(community, maya)}" class="mention"' in html
