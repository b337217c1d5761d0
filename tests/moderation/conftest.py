"""A comment on a post by an established author: what the moderation pages and API act on."""

import pytest

from knowledge import services as knowledge

from ..knowledge.factories import make_contribution
from .helpers import established


@pytest.fixture
def author(community):
    return established(community, "Alex Author")


@pytest.fixture
def post(community, author, toolkit):
    return make_contribution(author=author, community=community, toolkit=toolkit)


@pytest.fixture
def comment(post, author):
    return knowledge.comment_create(author=author, discussion=post.discussion, body="Buy my chains")
