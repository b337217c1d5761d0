"""What a person sees on the first run of the embedded site: a favicon, no broker warning."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_embedded_broker_names_a_host(tmp_path):
    """Without Redis, tasks run in-process over kombu's memory transport; an eager task still
    acquires a producer, and a transport URL without a host made kombu log "No hostname was
    supplied" on every announcement in `make run`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CACHE_KEY_PREFIX", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cocreate.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'first-run.sqlite3'}",
    )
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from cocreate.celery import app\n"
        "assert settings.CELERY_TASK_ALWAYS_EAGER, 'the embedded run is eager'\n"
        "with app.producer_or_acquire() as producer:\n"
        "    producer.connection._info()\n"
        "print('broker', app.connection_for_write().as_uri())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("broker memory://") and "@localhost" in result.stdout
    assert "No hostname" not in result.stderr + result.stdout


@pytest.mark.django_db
def test_every_page_has_a_favicon_and_favicon_ico_leads_to_it(client):
    body = client.get("/communities/").content.decode()
    assert 'rel="icon"' in body and "favicon.svg" in body
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
