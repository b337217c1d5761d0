"""A write that bypasses ``save()`` sends no signal, so no ``scopes.py`` declaration sees it:
every function in the apps that calls ``update()``, ``bulk_create()`` or ``bulk_update()`` on
a model some cached page shows must also call ``caching.changed`` — or say on that line, in a
``# cache:`` comment, why no cached page shows what it writes."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from cocreate.caching import generations
from cocreate.caching.invalidation import changed, declared_models
from communities.models import Invitation
from knowledge.models import Contribution

BULK = {"update", "bulk_create", "bulk_update"}
SKIPPED_DIRS = {"migrations", "management", "tests", "caching"}
UNKNOWN = "?"  # a model chosen at run time (``type(target).objects``): it may be any


def _model_of(expression, assigned: dict) -> str | None:
    """The model whose manager ``expression`` (the receiver of ``.update``) starts from: its
    name, ``UNKNOWN``, or ``None`` for something that is not a queryset (a dict, a hash)."""
    while True:
        if isinstance(expression, ast.Call):
            expression = expression.func
        elif isinstance(expression, ast.Attribute):
            if expression.attr == "objects":
                owner = expression.value
                return owner.id if isinstance(owner, ast.Name) else UNKNOWN
            expression = expression.value
        elif isinstance(expression, ast.Name):
            source = assigned.get(expression.id)
            return None if source is None else _model_of(source, {})
        else:
            return None


def missing_announcements(source: str, cached: set[str]) -> list[tuple[int, str]]:
    """``(line, model)`` of each bulk write on a cached model in ``source`` whose function
    neither calls ``changed`` nor carries a ``# cache:`` reason on that line."""
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assigned, announces, writes = {}, False, []
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                assigned[node.targets[0].id] = node.value
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if name == "changed":
                    announces = True
                elif name in BULK and isinstance(node.func, ast.Attribute):
                    writes.append(node)
        for call in writes:
            model = _model_of(call.func.value, assigned)
            if model is None or (model != UNKNOWN and model not in cached):
                continue
            span = lines[call.lineno - 1 : (call.end_lineno or call.lineno)]
            if announces or any("# cache:" in line for line in span):
                continue
            found.append((call.lineno, model))
    return found


def _app_modules():
    root = Path(settings.BASE_DIR)
    for app in (
        "accounts",
        "communities",
        "knowledge",
        "moderation",
        "trust",
        "notifications",
        "events",
        "demo",
    ):
        for path in sorted((root / app).rglob("*.py")):
            if not SKIPPED_DIRS & set(path.relative_to(root).parts):
                yield path


def test_every_bulk_write_on_a_cached_model_is_announced():
    cached = {model.__name__ for model in declared_models()}
    assert {"Contribution", "Notification", "Community", "Flag"} <= cached
    missing = [
        f"{path.relative_to(settings.BASE_DIR)}:{line} ({model})"
        for path in _app_modules()
        for line, model in missing_announcements(path.read_text(), cached)
    ]
    assert missing == [], "call caching.changed after these writes (or say why not: # cache:)"


def test_the_check_finds_an_unannounced_write():
    cached = {"Contribution", "Notification"}
    source = """
def silent(pk):
    Contribution.objects.filter(pk=pk).update(support_count=F("support_count") + 1)

def by_variable(user):
    qs = Notification.objects.filter(recipient=user)
    return qs.update(read_at=now())

def dynamic(target):
    type(target).objects.filter(pk=target.pk).update(is_locked=True)

def announced(pk):
    Contribution.objects.filter(pk=pk).update(support_count=0)
    caching.changed(Contribution(pk=pk), fields=["support_count"])

def explained(pk):
    Notification.objects.filter(pk=pk).update(email_state="sent")  # cache: shown nowhere

def uncached(pk):
    Invitation.objects.filter(pk=pk).update(revoked_at=now())
    values = {}
    values.update(a=1)
"""
    assert missing_announcements(source, cached) == [
        (3, "Contribution"),
        (7, "Notification"),
        (10, UNKNOWN),
    ]


@pytest.mark.django_db
def test_changed_bumps_what_a_save_would_and_refuses_an_undeclared_model():
    scopes = [generations.community(3), generations.contribution(5), generations.user(8)]
    other = generations.contribution(6)
    before = generations.tokens([*scopes, other])
    changed([Contribution(pk=5, community_id=3, author_id=8)], fields=["support_count"])
    after = generations.tokens([*scopes, other])
    assert all(after[scope] != before[scope] for scope in scopes)
    assert after[other] == before[other]
    with pytest.raises(LookupError):
        changed(Invitation(pk=1))
