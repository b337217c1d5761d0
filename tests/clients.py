"""Clients for API tests: signed in by session (the browser) or by token (scripts)."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def session_client(user=None, *, enforce_csrf: bool = False) -> APIClient:
    """A client signed in with a session cookie (anonymous if ``user`` is None)."""
    client = APIClient(enforce_csrf_checks=enforce_csrf)
    if user is not None:
        client.force_login(user)
    return client


def token_client(user) -> APIClient:
    """A client that sends ``Authorization: Token <key>`` and has no session."""
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
