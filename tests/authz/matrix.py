"""The authorization matrix: for every route and method, what each role gets.

Each app's entries live in their own module (``pages_*.py``, ``api_*.py``) as a list named
``CASES``; ``test_matrix.py`` gathers them, fails for any route of the URL resolver (and any
DRF action) that no case covers, and runs every case for every role.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .world import ROLES, World


@dataclass(frozen=True)
class Case:
    route: str  # URL name with namespace, e.g. "communities:home"
    method: str  # GET, POST, PUT, PATCH or DELETE
    path: Callable[[World], str]  # the concrete path, built from the world
    expect: Mapping[str, int]  # role -> HTTP status; every role in ROLES
    data: Callable[[World], dict] | None = None  # request body
    json: bool = False  # send the body as JSON (API) instead of a form
    note: str = ""

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.route} {self.method}: no expectation for {sorted(missing)}")

    @property
    def id(self) -> str:
        suffix = f"-{self.note}" if self.note else ""
        return f"{self.method}-{self.route}{suffix}"


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Expectations for every role: ``default`` unless overridden by role name."""
    unknown = set(overrides) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return {role: overrides.get(role, default) for role in ROLES}
