"""Every service and selector has a fully typed signature.

Services and selectors are the apps' public surface (CONVENTIONS.md: keyword-only typed
functions). mypy checks the bodies of annotated functions only, so an unannotated parameter
or return would quietly fall out of the type check: this test walks those modules and fails
for any function or method missing an annotation.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import pytest

APPS = ["accounts", "communities", "events", "knowledge", "moderation", "notifications"]
LAYERS = ["services", "selectors"]


def _layer_modules() -> Iterator[str]:
    for app in APPS:
        try:
            importlib.import_module(app)
        except ModuleNotFoundError:
            continue  # an app that does not exist (yet) has nothing to check
        for layer in LAYERS:
            name = f"{app}.{layer}"
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
                continue
            yield name
            if hasattr(module, "__path__"):  # a package: services/ split by resource
                for info in pkgutil.walk_packages(module.__path__, prefix=f"{name}."):
                    yield info.name


MODULES = sorted(_layer_modules())


def _functions(module: ModuleType) -> Iterator[tuple[str, object]]:
    """Functions and methods defined in the module itself (not imported into it)."""
    for name, value in vars(module).items():
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            yield name, value
        elif inspect.isclass(value) and value.__module__ == module.__name__:
            for attr, member in vars(value).items():
                if isinstance(member, staticmethod | classmethod):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if inspect.isfunction(member) and member.__qualname__.startswith(value.__name__):
                    if attr.startswith("__") and attr != "__init__":
                        continue  # generated dunders (dataclasses, enums) are not ours
                    yield f"{name}.{attr}", member


def _missing(function: object) -> list[str]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    missing = [
        parameter.name
        for index, parameter in enumerate(signature.parameters.values())
        if parameter.annotation is inspect.Parameter.empty
        and not (index == 0 and parameter.name in {"self", "cls"})
    ]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def test_the_walk_finds_the_service_and_selector_modules():
    # guards the test below against passing vacuously when the walk finds nothing
    assert "communities.services" in MODULES
    assert "knowledge.selectors" in MODULES
    assert any(name.startswith("knowledge.services.") for name in MODULES)


@pytest.mark.parametrize("module_name", MODULES)
def test_every_service_and_selector_is_fully_annotated(module_name):
    module = importlib.import_module(module_name)
    unannotated = {
        name: missing for name, function in _functions(module) if (missing := _missing(function))
    }
    assert not unannotated, f"{module_name}: unannotated parameters or returns: {unannotated}"


def test_the_check_catches_an_unannotated_parameter_and_return():
    def typed(*, user: int) -> int:
        return user

    def untyped(*, user):
        return user

    assert _missing(typed) == []
    assert _missing(untyped) == ["user", "return"]
