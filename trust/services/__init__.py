"""Writes of the trust app, one module per resource (``export``, ``erasure``); import the module
you need (``from trust.services import export``), nothing is loaded here."""
