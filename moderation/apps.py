from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules import models. Importing
        # scopes connects its declarations (cached pages go stale when what they show changes).
        from knowledge import gates  # noqa: PLC0415 — needs the app registry (imports models)

        from . import scopes  # noqa: F401, PLC0415 — connects its declarations; imports models
        from .home import register_home  # noqa: PLC0415 — imports models
        from .pages import register_pages  # noqa: PLC0415 — needs the app registry
        from .ratelimits import check_post  # noqa: PLC0415 — needs the app registry
        from .trust import holds_for_review  # noqa: PLC0415 — needs the app registry

        # Knowledge, below moderation, asks it whether a post may go out and whether it waits
        # for review (knowledge/gates.py).
        gates.register(post_rate=check_post, review_hold=holds_for_review)
        # Its pages in the community navigation, and what it adds to a community's home.
        register_pages()
        register_home()
