"""Settings of the worker processes the event bus tests start: the test settings, with the two
test consumers installed and every task routed (through the real broker, not in-process) as the
test says in COCREATE_TEST_ROUTES (JSON: task name pattern -> {"queue": name})."""

import json
import os

from cocreate.settings.test import *  # noqa: F403
from cocreate.settings.test import INSTALLED_APPS

CELERY_TASK_ALWAYS_EAGER = False
INSTALLED_APPS = [*INSTALLED_APPS, "tests.events.apps.BusTestConsumersConfig"]
CELERY_TASK_ROUTES = json.loads(os.environ["COCREATE_TEST_ROUTES"])

# A test that gives its worker an SMTP server (COCREATE_TEST_EMAIL_URL, e.g. smtp://127.0.0.1:2525)
# has the worker send real email there; the others keep the test settings' in-memory outbox.
if os.environ.get("COCREATE_TEST_EMAIL_URL"):
    from cocreate.settings.base import env

    vars().update(env.email_url("COCREATE_TEST_EMAIL_URL"))
