"""Production settings: refuse to start without their secrets; with them, pass
``manage.py check --deploy`` with no warnings and nothing silenced.

Each case runs Django in a fresh subprocess with a controlled environment, because settings are
read once per process.
"""

import json
import os
import secrets
import string
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = settings.BASE_DIR / "manage.py"
CONTROLLED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL")


def _secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def _base_env(tmp_path) -> dict[str, str]:
    """Only what a process needs to run Python; no inherited Django or service variables."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "cocreate.settings.production",
        # No .env file: a developer's .env must not make "missing" impossible to test.
        "COCREATE_ENV_FILE": "",
    }


def _full_env(tmp_path) -> dict[str, str]:
    return {
        **_base_env(tmp_path),
        "SECRET_KEY": _secret_key(),
        "ALLOWED_HOSTS": "cocreate.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        "EMAIL_URL": "smtp+tls://mailer:secret@mail.cocreate.example:587",
    }


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_no_warnings_and_nothing_silenced(tmp_path):
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], _full_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize("missing", CONTROLLED)
def test_refuses_to_start_without(missing, tmp_path):
    env = _full_env(tmp_path)
    del env[missing]

    result = _run(["check"], env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "short-key"),
        ("SECRET_KEY", "a" * 60),
        ("ALLOWED_HOSTS", ""),
        ("DATABASE_URL", ""),
        ("EMAIL_URL", ""),
    ],
)
def test_refuses_weak_or_empty_values(name, value, tmp_path):
    env = {**_full_env(tmp_path), name: value}

    result = _run(["check"], env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_production_values(tmp_path):
    """What the running process actually holds, not just what check --deploy inspects."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
        "'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
        "'proxy': list(s.SECURE_PROXY_SSL_HEADER), 'verify': s.ACCOUNT_EMAIL_VERIFICATION, "
        "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE']}))"
    )
    env = {**_full_env(tmp_path), "DEBUG": "true"}  # DEBUG from the environment is ignored
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "debug": False,
        "hosts": ["cocreate.example"],
        "ssl": True,
        "hsts": 31536000,
        "session_secure": True,
        "csrf_secure": True,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "verify": "mandatory",
        "conn_max_age": 60,
    }
