"""Fixtures for the notification tests (defined in ``support.py``, shared here)."""

from .support import lab  # noqa: F401
