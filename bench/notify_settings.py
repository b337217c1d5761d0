"""Settings of the notification bench (bench/notify.py): the production settings, with every
email sent over SMTP to the bench's own SMTP server (``tests.smtp_sink`` on a loopback port,
``BENCH_NOTIFY_SMTP_PORT``), without TLS or a password.

Every other value comes from cocreate.settings.production and the environment bench/notify.py
builds (generated SECRET_KEY, its own database and Redis database).
"""

import os

from cocreate.settings.production import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["BENCH_NOTIFY_SMTP_PORT"])
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
