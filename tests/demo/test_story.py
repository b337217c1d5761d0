"""``manage.py seed_demo`` tells the story `make run` shows, and running it again changes
nothing.

The story is seeded once for this module, outside any test transaction, as the command runs
for real: each part commits on its own and its events reach the notifications consumer when it
commits. Each test then runs in a transaction rolled back after it; the module flushes the
database when it is done.
"""

import pytest
from django.core.management import call_command

from .story import assert_story_told, counts, seed


@pytest.fixture(scope="module")
def told(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        output = seed()
        yield output
        call_command("flush", interactive=False, verbosity=0)


def test_seed_demo_tells_the_story(told, db):
    assert_story_told()
    assert "Trail Bike Lab: story created." in told
    assert "Home Audio Insiders: story created." in told
    assert "member@demo.cocreate.test" in told  # the account list


def test_running_it_again_changes_nothing_and_says_so(told, db):
    before = counts()

    output = seed()

    assert counts() == before
    assert "Demo accounts, organisation and communities already present." in output
    assert "Trail Bike Lab: story already present." in output
    assert "Home Audio Insiders: story already present." in output
