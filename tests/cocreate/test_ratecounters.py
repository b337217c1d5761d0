"""The database window counters every rate limit uses while Redis is unreachable."""

import threading

import pytest
from django.db import connection

from cocreate import ratecounters
from cocreate.models import RateCounter


@pytest.mark.django_db
def test_a_window_counts_from_its_first_hit_until_its_period_ends():
    assert [ratecounters.hit("k", 60, now=1000.0) for _ in range(3)] == [1, 2, 3]
    assert ratecounters.peek("k", now=1059.0) == 3
    assert ratecounters.hit("k", 60, now=1059.0) == 4
    # The window began at 1000: from 1060 on a hit begins a new one.
    assert ratecounters.peek("k", now=1060.0) == 0
    assert ratecounters.hit("k", 60, now=1060.0) == 1
    assert ratecounters.hit("k", 60, now=1119.0) == 2
    assert ratecounters.hit("other", 60, now=1060.0) == 1


@pytest.mark.django_db
def test_unhit_forget_and_purge():
    for _ in range(3):
        ratecounters.hit("a", 60, now=1000.0)
    ratecounters.unhit("a")
    assert ratecounters.peek("a", now=1001.0) == 2
    ratecounters.hit("b", 10, now=1000.0)
    ratecounters.forget("a")
    assert ratecounters.peek("a", now=1001.0) == 0
    assert ratecounters.purge_expired(now=1011.0) == 1  # "b" ended at 1010
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
def test_long_keys_are_hashed_to_fit():
    key = "x" * 1000
    assert ratecounters.hit(key, 60) == 1
    assert ratecounters.hit(key, 60) == 2
    assert len(RateCounter.objects.get().key) <= 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_each_counted_once():
    answers: list[int] = []

    def one() -> None:
        try:
            answers.append(ratecounters.hit("busy", 60))
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(1, 17))
    assert RateCounter.objects.get(key="busy").count == 16
