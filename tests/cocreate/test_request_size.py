"""Bodies larger than any request of the site get a 413 the client can read (issue 11): JSON
under /api/, the site's page elsewhere, and — served by gunicorn as in production — a 10 MB
body is read and dropped first, so the client reads the answer instead of a connection reset."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cocreate.request_size import DRAIN_LIMIT
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_an_api_body_over_the_limit_is_a_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory())
    body = json.dumps({"title": "x" * 5000})
    response = client.post("/api/v1/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large (at most 1000 bytes).",
        "code": "request_too_large",
    }


@pytest.mark.django_db
def test_a_page_body_over_the_limit_is_the_sites_413_page(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/accounts/login/", {"login": "a@b.c", "password": "p" * 5000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Too much at once" in response.content.decode()


@pytest.mark.django_db
def test_a_body_within_the_limit_reaches_the_view(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = APIClient().post(
        "/api/v1/auth/token/", data={"username": "nobody@x.test", "password": "p" * 5000}
    )
    assert response.status_code == 400  # the view's own answer: wrong credentials


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn_server():
    """The app under gunicorn (sync workers, as deployed). A 413 is answered before sessions
    or the database are touched, so the server needs no database of its own."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cocreate.settings.test",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cocreate.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def _post_raw(port: int, path: str, size: int) -> bytes:
    """Send ``size`` bytes of JSON body as a client would (all of it, then read the answer)."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        chunk = b"x" * 65536
        sent = 0
        while sent < size:
            piece = chunk[: size - sent]
            conn.sendall(piece)
            sent += len(piece)
        answer = b""
        while data := conn.recv(65536):
            answer += data
    return answer


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/accounts/login/"])
def test_a_10_mb_body_gets_its_413_not_a_reset(gunicorn_server, path):
    size = 10 * 1024 * 1024
    assert size < DRAIN_LIMIT
    answer = _post_raw(gunicorn_server, path, size)  # raises ConnectionResetError on a reset
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    if path.startswith("/api/"):
        assert b'"code": "request_too_large"' in answer or b'"code":"request_too_large"' in answer
