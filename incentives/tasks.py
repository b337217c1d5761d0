"""Celery tasks of the incentives app: thin, idempotent, by name."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from . import reconciliation
from .services.holds import holds_expire

logger = logging.getLogger(__name__)


@shared_task(name="incentives.ledger_check")
def ledger_check() -> int:
    """Nightly: recompute the ledger from its entries (``reconciliation.check``); on any
    difference, log it and email every active platform admin the findings. Returns how many."""
    findings = reconciliation.check()
    if not findings:
        logger.info("ledger_check: balances, totals and holds agree with the entries")
        return 0
    lines = "\n".join(f"- {finding}" for finding in findings)
    logger.error("ledger_check: %s difference(s)\n%s", len(findings), lines)
    admins = list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .values_list("email", flat=True)
    )
    if admins:
        send_mail(
            f"Cocreate ledger check: {len(findings)} difference(s)",
            "The nightly ledger check recomputed every balance from its entries and found:\n\n"
            f"{lines}\n\nRun `manage.py ledger_check` to see them again.",
            settings.DEFAULT_FROM_EMAIL,
            admins,
        )
    return len(findings)


@shared_task(name="incentives.holds_expire")
def expire_holds() -> int:
    """Every few minutes: release the points of holds past their expiry (once each)."""
    return holds_expire()
