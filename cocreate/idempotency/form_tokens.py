"""One-time tokens in page forms, so a double submit or a retried POST creates one object.

A form opts in with ``<input type="hidden" name="form_token" value="{{ form_token }}">``. The
template always renders a placeholder there (``form_token`` below, and every cached fragment:
``cocreate.caching.fragments``), so no page or fragment in the cache ever holds a token, and
``FormTokenMiddleware`` puts a fresh random token in place of each placeholder of every HTML
response — cached or not, whole page or htmx partial: two forms on one page get two tokens.
The view hands the posted token (``posted``) to ``services.submit_once`` with what it creates.
"""

import re
import secrets

from cocreate.caching.fragments import FORM_TOKEN_PLACEHOLDER

FIELD = "form_token"
_VALID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_PLACEHOLDER = FORM_TOKEN_PLACEHOLDER.encode()


def new_token() -> str:
    """A random one-time token (128 bits)."""
    return secrets.token_urlsafe(16)


def posted(request) -> str | None:
    """The one-time token the form posted, or ``None`` (none sent, or not one we make: the
    form then works as it always did)."""
    token = request.POST.get(FIELD, "")
    return token if _VALID.fullmatch(token) else None


def form_token(request) -> dict:
    """Context processor: ``{{ form_token }}`` renders the placeholder, filled per response."""
    return {"form_token": FORM_TOKEN_PLACEHOLDER}


def fill(content: bytes) -> bytes:
    """``content`` with a new token in place of each placeholder."""
    if _PLACEHOLDER not in content:
        return content
    return re.sub(re.escape(_PLACEHOLDER), lambda _match: new_token().encode(), content)


class FormTokenMiddleware:
    """Fills the form-token placeholders of every (non-streaming) HTML response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and _PLACEHOLDER in response.content
        ):
            response.content = fill(response.content)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
