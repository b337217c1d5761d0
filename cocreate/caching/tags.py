"""``{% load caching %}``: ``{% cachedfragment "name" a=b ... %}`` shows a declared fragment
(``fragments.fragment``), rendered from the names its declaration reads — the tag's arguments,
else the page's variables of those names; ``{% cachedfragments %}…{% endcachedfragments %}``
fetches every fragment inside it in one round trip."""

from django import template
from django.template.base import token_kwargs

from . import fragments

register = template.Library()

_BATCH = "_cocreate_fragment_batch"


class FragmentNode(template.Node):
    def __init__(self, name, kwargs) -> None:
        self.name = name
        self.kwargs = kwargs

    def render(self, context) -> str:
        declared = fragments.get(self.name.resolve(context))
        values = {}
        for name in declared.names:
            given = self.kwargs.get(name)
            values[name] = given.resolve(context) if given is not None else context.get(name)
        batch = context.get(_BATCH)
        if batch is not None:
            return batch.add(declared, values)
        return fragments.fill_csrf(fragments.show(declared, values), context.get("csrf_token"))


class BatchNode(template.Node):
    def __init__(self, nodelist) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        if context.get(_BATCH) is not None:  # already inside one: that one fetches
            return self.nodelist.render(context)
        batch = fragments.Batch()
        with context.push({_BATCH: batch}):
            html = self.nodelist.render(context)
        return fragments.fill_csrf(batch.fill(html), context.get("csrf_token"))


@register.tag
def cachedfragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("cachedfragment needs the fragment's name")
    name = parser.compile_filter(bits[1])
    rest = bits[2:]
    kwargs = token_kwargs(rest, parser, support_legacy=False)
    if rest:
        raise template.TemplateSyntaxError("cachedfragment takes name=value arguments only")
    return FragmentNode(name, kwargs)


@register.tag
def cachedfragments(parser, token):
    nodelist = parser.parse(("endcachedfragments",))
    parser.delete_first_token()
    return BatchNode(nodelist)
