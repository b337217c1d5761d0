"""The production settings, unchanged but for the URLconf, which adds the bare baseline view.

Only the bench process uses this module (bench/ is not part of the image); production URLs never
contain the bare view. Every other value comes from cocreate.settings.production and the
environment bench/run.py builds (generated SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, no TLS redirect).
"""

from cocreate.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
