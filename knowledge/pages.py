"""Knowledge's pages in the community navigation (see ``communities.navigation``)."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import Item, register


def register_pages() -> None:
    register(
        Item("ideas", _("Ideas"), "knowledge:feed", order=10, perm="knowledge.view_knowledge"),
        Item(
            "challenges",
            _("Challenges"),
            "knowledge:challenges",
            order=20,
            perm="knowledge.view_knowledge",
        ),
        Item("search", _("Search"), "knowledge:search", order=30, perm="knowledge.view_knowledge"),
        Item(
            "triage",
            _("Triage"),
            "knowledge:triage",
            section="manage",
            order=10,
            perm="knowledge.triage",
        ),
        Item(
            "scorecards",
            _("Scorecards"),
            "knowledge:scorecards",
            section="manage",
            order=20,
            perm="knowledge.view_scorecards",
        ),
        Item(
            "toolkits",
            _("Toolkits"),
            "knowledge:toolkits",
            section="manage",
            order=30,
            perm="knowledge.design_toolkit",
        ),
    )
