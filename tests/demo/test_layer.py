"""The demo app is the top layer: it may use every app, and no app imports it."""

import ast
from pathlib import Path

from django.conf import settings

APPS = ("cocreate", "accounts", "events", "communities", "knowledge", "moderation", "notifications")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_app_imports_the_demo():
    root = Path(settings.BASE_DIR)
    offending = [
        f"{path.relative_to(root)} imports {name}"
        for app in APPS
        for path in sorted((root / app).rglob("*.py"))
        for name in _imports(path)
        if name == "demo" or name.startswith("demo.")
    ]
    assert offending == []


def test_the_demo_uses_the_apps_it_sits_on():
    # The check above would pass for an empty demo: the demo really stands on the apps.
    used = {
        name.split(".")[0]
        for path in (Path(settings.BASE_DIR) / "demo").rglob("*.py")
        for name in _imports(path)
    }
    assert {"accounts", "communities", "knowledge", "moderation", "notifications"} <= used
