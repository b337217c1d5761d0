"""The apps' layers are a contract (``[tool.importlinter]`` in pyproject.toml, run by
``lint-imports`` in ``make test``): the code keeps it, every app of the project is in it, and
the same contract refuses an upward import and a cycle in a package tree made to break it."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _config() -> dict:
    return tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    return next(c for c in _config()["contracts"] if c["id"] == contract_id)


def _lint(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(config), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_the_contracts():
    result = _lint(ROOT, PYPROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_every_app_of_the_project_has_its_layer():
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == ROOT  # the project's own apps, not tests' or libraries'
    }
    assert ours == {
        "accounts",
        "events",
        "communities",
        "knowledge",
        "moderation",
        "trust",
        "notifications",
        "demo",
        # The infrastructure package, an app for its cache-fallback tables (cocreate.models).
        "cocreate",
    }
    layers = _contract("layers")["layers"]
    # A layer of independent siblings is written "a | b" (neither imports the other).
    apps_in_layers = {name.strip() for layer in layers for name in layer.split("|")}
    assert apps_in_layers == ours
    assert set(_config()["root_packages"]) == apps_in_layers
    assert set(_contract("acyclic")["ancestors"]) == apps_in_layers
    # Top to bottom, as the README states it.
    assert layers == [
        "demo",
        "notifications",
        "moderation | trust",
        "knowledge",
        "communities",
        "events",
        "accounts",
        "cocreate",
    ]


def _tree(base: Path, modules: dict[str, str]) -> None:
    """Packages under ``base``: ``{"knowledge.limits": "from moderation import x"}``."""
    for dotted, source in modules.items():
        parts = dotted.split(".")
        for depth in range(1, len(parts)):
            package = base.joinpath(*parts[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
        base.joinpath(*parts[:-1], f"{parts[-1]}.py").write_text(source + "\n")


# Every layer the contract names, and the one cycle its acyclic contract lets through (the
# fan-out service queues the task that runs it), so the synthetic tree keeps the contract.
KEPT = {
    **{f"{app}.models": "" for app in _config()["root_packages"]},
    "notifications.services.fanout": "from notifications import tasks",
    "notifications.tasks": "from notifications.services import fanout",
    "moderation.ratelimits": "from knowledge import models",  # downwards: allowed
    "knowledge.gates": "from communities import models",
}


def _write_config(base: Path) -> Path:
    """The project's own import-linter section, unchanged, as the tree's configuration."""
    lines = PYPROJECT.read_text().splitlines()
    start = lines.index("[tool.importlinter]")
    end = next(
        i
        for i in range(start + 1, len(lines))
        if lines[i].startswith("[") and "tool.importlinter" not in lines[i]
    )
    config = base / "pyproject.toml"
    config.write_text("\n".join(lines[start:end]) + "\n")
    return config


def test_a_tree_that_keeps_the_layers_passes(tmp_path):
    _tree(tmp_path, KEPT)
    result = _lint(tmp_path, _write_config(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_is_refused(tmp_path):
    _tree(tmp_path, {**KEPT, "knowledge.limits": "from moderation import ratelimits"})
    result = _lint(tmp_path, _write_config(tmp_path))
    assert result.returncode == 1, result.stdout
    assert "Apps import only the apps below them BROKEN" in result.stdout
    assert "knowledge is not allowed to import moderation" in result.stdout
    assert "knowledge.limits -> moderation.ratelimits" in result.stdout


def test_infrastructure_importing_an_app_is_refused(tmp_path):
    _tree(tmp_path, {**KEPT, "cocreate.api.authentication": "from accounts import models"})
    result = _lint(tmp_path, _write_config(tmp_path))
    assert result.returncode == 1, result.stdout
    assert "cocreate is not allowed to import accounts" in result.stdout


def test_an_import_inside_a_function_counts_too(tmp_path):
    upward = "def check():\n    from notifications import models\n    return models"
    _tree(tmp_path, {**KEPT, "communities.services": upward})
    result = _lint(tmp_path, _write_config(tmp_path))
    assert result.returncode == 1, result.stdout
    assert "communities is not allowed to import notifications" in result.stdout


def test_a_cycle_inside_an_app_is_refused(tmp_path):
    _tree(
        tmp_path,
        {
            **KEPT,
            "events.registry": "from events import tasks",
            "events.tasks": "from events import registry",
        },
    )
    result = _lint(tmp_path, _write_config(tmp_path))
    assert result.returncode == 1, result.stdout
    assert "No import cycles between the modules of an app BROKEN" in result.stdout
    assert "No cycles are allowed in events" in result.stdout
