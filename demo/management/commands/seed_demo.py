"""Load the demo data, so the embedded run never shows an empty site. Safe to run again."""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.home_audio import seed_home_audio
from demo.people import DEMO_PASSWORD, PEOPLE, seed_people
from demo.trail_bike_lab import seed_trail_bike_lab
from events.tasks import relay

# The demo's addresses are not real, and the story's few dozen emails would bury the account
# list in the console: while seeding, emails go nowhere (their notifications are in the bells).
QUIET_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = (
        "Create the demo accounts, firm and communities, and the story of two communities "
        "(toolkits, challenges, ideas in every status, dialogue, moderation, notifications). "
        "Adds only what is missing: running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL):
            self._seed(verbosity=options["verbosity"])
        self._print_accounts()

    def _seed(self, *, verbosity: int) -> None:
        # One transaction per part: a failure leaves the parts before it and none of its own.
        seeded = seed_people()
        if seeded.added:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo accounts, organisation, communities and memberships: "
                    f"added {len(seeded.added)}."
                )
            )
            if verbosity > 1:
                for item in seeded.added:
                    self.stdout.write(f"  {item}")
        else:
            self.stdout.write("Demo accounts, organisation and communities already present.")
        for name, seed in (
            ("Trail Bike Lab", seed_trail_bike_lab),
            ("Home Audio Insiders", seed_home_audio),
        ):
            if seed(seeded.cast):
                self.stdout.write(self.style.SUCCESS(f"{name}: story created."))
            else:
                self.stdout.write(f"{name}: story already present.")
        # What the outbox relay's beat task does every 30 seconds, now, for every delivery
        # still waiting (the ones just recorded too). In the embedded run Celery is eager and
        # each part's events were delivered when it committed, so this finds nothing; with a
        # broker it hands the workers whatever the hand-off after commit missed.
        handed = relay(older_than_seconds=0)
        if handed:
            self.stdout.write(f"Handed {handed} waiting event deliveries to the workers.")

    def _print_accounts(self) -> None:
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for person in PEOPLE:
            self.stdout.write(f"  {person.label:<10} {person.email:<32} {person.name}")
