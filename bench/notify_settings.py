"""Settings of the notification bench (bench/notify.py): the production settings, with emails
written to files in a directory the bench owns instead of an SMTP server (the emails are still
rendered and sent through Django's email backend; only the transport differs).

Every other value comes from cocreate.settings.production and the environment bench/notify.py
builds (generated SECRET_KEY, its own database and Redis database).
"""

import os

from cocreate.settings.production import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["BENCH_NOTIFY_EMAIL_DIR"]
