"""Settings for the test suite. DATABASE_URL / REDIS_URL may point at real services (CI)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Tests run tasks in-process unless a test starts a real worker and turns this off itself.
CELERY_TASK_ALWAYS_EAGER = True
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="cocreate-test")  # noqa: F405
# Data-export archives written by tests go to a temporary directory, never into the checkout.
EXPORT_ROOT = env.path(
    "EXPORT_ROOT", default=str(Path(tempfile.gettempdir()) / "cocreate-test-exports")
)
