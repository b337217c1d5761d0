"""A flag posted twice with the same one-time token (a double click, a retried POST) is one
flag; concurrent double submits too."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from cocreate.idempotency.models import FormSubmission
from moderation.models import Flag

from ..conftest import require_or_skip, uses_postgres

C = "/c/trail-bike-lab"


@pytest.mark.django_db
def test_the_same_token_twice_is_one_flag(client, member, comment):
    client.force_login(member)
    url = f"{C}/comments/{comment.pk}/flag/"
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())
    assert token is not None
    data = {"reason": "spam", "form_token": token.group(1)}
    first = client.post(url, data)
    again = client.post(url, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Flag.objects.filter(reporter=member).count() == 1
    assert FormSubmission.objects.get().url == first["Location"]


@pytest.mark.django_db
def test_a_flag_without_a_token_works_as_before(client, member, comment):
    client.force_login(member)
    response = client.post(f"{C}/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 302
    assert Flag.objects.filter(reporter=member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_at_once_is_one_flag(member, comment):
    require_or_skip(uses_postgres(), "needs PostgreSQL for concurrent writers")
    url = f"{C}/comments/{comment.pk}/flag/"
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit() -> None:
        client = Client()
        client.force_login(member)
        try:
            barrier.wait(timeout=20)
            response = client.post(url, {"reason": "spam", "form_token": "flag-twice-0123456789"})
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 4
    assert Flag.objects.filter(reporter=member).count() == 1
