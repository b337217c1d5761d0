"""Settings for the worker processes the crash tests start: the test settings, except that tasks
the worker queues (fan-out chunks, emails, relayed events) go through the real broker to the
test's own queue instead of running in-process."""

import os

from cocreate.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ROUTES = {"notifications.*": {"queue": os.environ["COCREATE_TEST_QUEUE"]}}
