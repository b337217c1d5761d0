"""``manage.py ledger_check``: recompute the points ledger from its entries; exit 1 on any
difference (see ``incentives.reconciliation``)."""

from django.core.management.base import BaseCommand, CommandError

from incentives.reconciliation import check


class Command(BaseCommand):
    help = "Recompute every ledger balance from its entries; exit non-zero on any difference."

    def handle(self, *args, **options):
        findings = check()
        if findings:
            for finding in findings:
                self.stderr.write(str(finding))
            raise CommandError(f"ledger_check: {len(findings)} difference(s)")
        self.stdout.write("ledger_check: balances, totals and holds agree with the entries")
