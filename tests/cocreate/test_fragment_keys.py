"""Every cached fragment's key holds every value its template shows: the check reads each
fragment's template (and what it includes) with Django's own template engine, follows every
variable through loops, ``with`` and ``include ... with`` to the fragment's names, and fails for
any name the template reads that the fragment's declared fields leave out (a fragment that
would be served stale when that value changes), and for any declared field no template reads.
"""

import pytest
from django.template import Template, engines
from django.template.base import FilterExpression, TextNode, TokenType, Variable, VariableNode
from django.template.defaulttags import (
    CommentNode,
    CsrfTokenNode,
    ForNode,
    IfNode,
    LoadNode,
    URLNode,
    WithNode,
)
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import get_resolver

from cocreate.caching import fragments
from communities.models import Community

LOCAL = None  # a name bound inside the template to a value it computed itself


def _declared() -> dict[str, fragments.Fragment]:
    assert get_resolver().url_patterns  # imports every view module: they declare fragments
    return fragments.declared()


def _is_form_token(node: VariableNode) -> bool:
    expression = node.filter_expression
    var = expression.var
    return not expression.filters and isinstance(var, Variable) and var.lookups == ("form_token",)


class _Reads:
    """Every path from the fragment's names that a template reads."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def path(self, dotted: str, aliases: dict) -> str | None:
        root, _dot, rest = dotted.partition(".")
        if root in aliases:
            base = aliases[root]
            if base is LOCAL:
                return None
            return f"{base}.{rest}" if rest else base
        return dotted

    def variable(self, var, aliases: dict) -> str | None:
        if isinstance(var, Variable) and var.lookups is not None:
            found = self.path(".".join(var.lookups), aliases)
            if found is not None:
                self.paths.add(found)
            return found
        return None

    def expression(self, expression, aliases: dict) -> str | None:
        """Record what ``expression`` reads; the path it stands for when it is a bare name."""
        if expression is None:
            return None
        if not isinstance(expression, FilterExpression):
            raise AssertionError(f"unexpected expression {expression!r}")
        found = self.variable(expression.var, aliases)
        for _filter, arguments in expression.filters:
            for is_variable, argument in arguments:
                if is_variable:
                    self.variable(argument, aliases)
        return found if not expression.filters else LOCAL

    def condition(self, condition, aliases: dict) -> None:
        if condition is None:
            return
        value = getattr(condition, "value", None)
        if isinstance(value, FilterExpression):
            self.expression(value, aliases)
            return
        self.condition(getattr(condition, "first", None), aliases)
        self.condition(getattr(condition, "second", None), aliases)

    def nodelist(self, nodes, aliases: dict) -> None:
        for node in nodes:
            self.node(node, aliases)

    def node(self, node, aliases: dict) -> None:  # noqa: C901 — one branch per node type
        if isinstance(node, TextNode | CommentNode | LoadNode | CsrfTokenNode):
            return  # the CSRF token is the placeholder every fragment is rendered with
        if isinstance(node, VariableNode):
            if _is_form_token(node):
                return  # like the CSRF token: a placeholder, filled per response
            self.expression(node.filter_expression, aliases)
        elif isinstance(node, IfNode):
            for condition, nodes in node.conditions_nodelists:
                self.condition(condition, aliases)
                self.nodelist(nodes, aliases)
        elif isinstance(node, ForNode):
            sequence = self.expression(node.sequence, aliases)
            inner = {**aliases, "forloop": LOCAL}
            for name in node.loopvars:
                inner[name] = f"{sequence}.*" if sequence else LOCAL
            self.nodelist(node.nodelist_loop, inner)
            self.nodelist(node.nodelist_empty, aliases)
        elif isinstance(node, WithNode):
            inner = dict(aliases)
            for name, expression in node.extra_context.items():
                inner[name] = self.expression(expression, aliases)
            self.nodelist(node.nodelist, inner)
        elif isinstance(node, IncludeNode):
            template = node.template
            name = template.resolve({}) if isinstance(template, FilterExpression) else None
            if not isinstance(name, str):
                raise AssertionError("the check follows only includes of a named template")
            inner = {} if node.isolated_context else dict(aliases)
            for key, expression in node.extra_context.items():
                inner[key] = self.expression(expression, aliases)
            self.nodelist(get_template(name).template.nodelist, inner)
        elif isinstance(node, URLNode):
            self.expression(node.view_name, aliases)
            for argument in node.args:
                self.expression(argument, aliases)
            for argument in node.kwargs.values():
                self.expression(argument, aliases)
            if node.asvar:
                aliases[node.asvar] = LOCAL  # later siblings use it: bound for them
        elif isinstance(node, BlockTranslateNode):
            inner = dict(aliases)
            for key, expression in node.extra_context.items():
                inner[key] = self.expression(expression, aliases)
            if node.countervar:
                inner[node.countervar] = self.expression(node.counter, aliases)
            for token in [*node.singular, *(node.plural or [])]:
                if token.token_type == TokenType.VAR:
                    found = self.path(token.contents, inner)
                    if found is not None:
                        self.paths.add(found)
            if node.asvar:
                aliases[node.asvar] = LOCAL
        elif isinstance(node, TranslateNode):
            self.expression(node.filter_expression, aliases)
            if node.asvar:
                aliases[node.asvar] = LOCAL
        else:
            # A tag this check does not know could read anything: teach it, don't skip it.
            raise AssertionError(f"the fragment check does not know {type(node).__name__}")


def reads(template: Template) -> set[str]:
    found = _Reads()
    found.nodelist(template.nodelist, {})
    return found.paths


def _covered(path: str, declared: fragments.Fragment) -> bool:
    if path.split(".", 1)[0] in declared.state:
        return True  # keyed by the whole value (a form's state)
    return any(
        path == field
        or field.startswith(f"{path}.")  # a container tested or counted: its items are keyed
        or path.startswith(f"{field}.*")  # an item of a list of plain values that is keyed
        for field in declared.fields
    )


def undeclared(declared: fragments.Fragment, template: Template | None = None) -> set[str]:
    """What the template shows that the fragment's key leaves out."""
    template = template or get_template(declared.template).template
    return {path for path in reads(template) if not _covered(path, declared)}


def unread(declared: fragments.Fragment) -> set[str]:
    """Declared fields the template never reads (they only split the cache)."""
    shown = reads(get_template(declared.template).template)
    return {
        field
        for field in declared.fields
        if not any(p == field or p.startswith(f"{field}.") for p in shown)
    }


def test_fragments_are_declared():
    shown = {"directory_card", "directory_filters", "feed_item", "feed_filters", "thread_item"}
    assert shown <= set(_declared())


@pytest.mark.parametrize("name", sorted(_declared()))
def test_fragment_key_holds_everything_its_template_shows(name):
    declared = _declared()[name]
    assert undeclared(declared) == set(), f"{name}: add these to its fields"
    assert unread(declared) == set(), f"{name}: no template reads these"


def _engine_template(source: str) -> Template:
    return engines["django"].from_string(source).template


def test_the_check_finds_a_name_left_out_of_a_key():
    card = fragments.Fragment("probe", "communities/_directory_card.html", ("c.name", "c.tags"))
    probe = _engine_template(
        "{% load i18n %}{{ c.name }}{% for t in c.tags %}{{ t }}{% endfor %}"
        "{% with n=c.author.name %}{{ n|upper }}{% endwith %}"
        "{% for r in c.replies %}{{ r.body }}{% endfor %}"
        "{% blocktranslate with x=c.title %}{{ x }} {{ secret }}{% endblocktranslate %}"
        "{% url 'communities:home' c.slug as link %}{{ link }}"
        "{% include 'knowledge/_time.html' with t=c.when %}"
        "{% if c.hidden and not user.pk %}{% endif %}"
    )
    assert undeclared(card, probe) == {
        "c.author.name",
        "c.replies",
        "c.replies.*.body",
        "c.title",
        "secret",
        "c.slug",
        "c.when",
        "c.hidden",
        "user.pk",
    }


def test_the_check_refuses_a_tag_it_does_not_know():
    probe = _engine_template("{% spaceless %}{{ c.name }}{% endspaceless %}")
    with pytest.raises(AssertionError, match="does not know"):
        reads(probe)


def test_a_field_that_is_not_plain_data_is_refused():
    probe = fragments.Fragment("probe", "communities/_directory_card.html", ("c",))
    with pytest.raises(TypeError, match="plain data"):
        probe.key({"c": Community(name="x")})
