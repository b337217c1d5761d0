"""``{% community_nav %}``: the community's one navigation (see ``communities.navigation``)."""

from typing import Any

from django import template

from cocreate.permissions import allowed
from communities.navigation import links_for

register = template.Library()


@register.inclusion_tag("communities/_nav.html", takes_context=True)
def community_nav(context: template.Context) -> dict[str, Any]:
    """The links the viewer may use in the page's ``community``, the current one marked; none
    when the viewer could only go to the page they are on (an outsider on a public home)."""
    request = context["request"]
    community = context["community"]
    sections = links_for(request.user, community, request.path)
    shown = len(sections["community"]) + len(sections["manage"]) > 1
    return {"sections": sections, "shown": shown}


@register.simple_tag(takes_context=True)
def may_create_community(context: template.Context) -> bool:
    """Whether the signed-in viewer may start a community (firm staff, platform admins): the
    site header then offers "New community"."""
    user = context["request"].user
    return user.is_authenticated and allowed(user, "communities.create_any_community")
