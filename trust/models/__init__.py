"""The trust app's models, one module per resource (consent, usage, export); each module's
models are re-exported here so Django and the rest of the app import them from ``trust.models``."""

from .export import DataExport, Erasure  # noqa: F401
