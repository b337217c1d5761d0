"""The shared query-count helper fails when a list's cost grows with its items."""

import pytest

from accounts.models import User

from .querycount import queries_run_by, same_at_5_and_50

pytestmark = pytest.mark.django_db


def test_counts_the_queries_an_action_runs():
    assert queries_run_by(lambda: None) == 0
    assert queries_run_by(lambda: list(User.objects.all())) == 1


def test_a_flat_count_passes_and_is_returned():
    assert same_at_5_and_50(lambda n: None, lambda: 3, "flat") == 3


def test_a_count_that_grows_with_the_items_fails():
    items = []
    with pytest.raises(AssertionError, match="grows: 5 queries at 5 items, 50 at 50"):
        same_at_5_and_50(lambda n: items.extend([0] * n), lambda: len(items), "grows")
