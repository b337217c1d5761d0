"""Where a ``next=`` may send a person: one check for every redirect that takes a target from
the request (sign-in, sign-out, the knowledge and notification forms).

Django's ``url_has_allowed_host_and_scheme`` judges a URL as Python parses it, and Python's
parser drops tabs and newlines: ``//%09/evil.example`` passed, was sent back as written, and a
browser that also drops them reads a link to another site. Here a target is judged as it will
be sent: anything with a control character, a space or a backslash (raw or percent-encoded),
or starting with two slashes once decoded, is refused before Django's check even runs.
"""

import re
from urllib.parse import unquote

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def reads_as_written(target: str) -> bool:
    """Whether a browser reads ``target`` as Python's parser does: no control character,
    space or backslash in it, raw or percent-encoded, and not two slashes at its start."""
    decoded = unquote(target)
    if _UNSAFE.search(target) or _UNSAFE.search(decoded):
        return False
    return not decoded.startswith("//")


def safe_next(request: HttpRequest, target: str | None) -> bool:
    """Whether ``target`` may be redirected to: a path of this site, or an absolute URL on the
    request's own host with the request's scheme security."""
    if not target or not reads_as_written(target):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
