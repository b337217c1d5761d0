"""The "Your data" page: request an export, follow its progress, download the archive."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cocreate.errors import Conflict

from .. import selectors
from ..models import DataExport
from ..services import export as exports

POLL_SECONDS = 2


def _exports_context(request: HttpRequest) -> dict:
    listed = list(selectors.exports_of(user=request.user)[: selectors.EXPORT_LIST_LIMIT])
    return {
        "exports": listed,
        "building": any(e.is_running for e in listed),
        "poll_seconds": POLL_SECONDS,
        "now": timezone.now(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def data(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: request a new export (one at a time), then back to the page."""
    if request.method == "POST":
        try:
            exports.export_request(user=request.user)
        except Conflict as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Your export is being prepared. You will be notified when it is ready."),
            )
        return redirect("trust:data")
    return render(request, "trust/data.html", _exports_context(request))


@login_required
@require_GET
def exports_partial(request: HttpRequest) -> HttpResponse:
    """The list of exports alone: what the page polls (htmx) while one is building."""
    return render(request, "trust/_exports.html", _exports_context(request))


@require_GET
def export_download(request: HttpRequest, export_id: str) -> FileResponse:
    """The archive, to its owner only; 404 for everyone and everything else (signed out
    included: no redirect to the login page that would confirm the link exists)."""
    export = selectors.export_for_download(user=request.user, export_id=export_id)
    return archive_response(export)


def archive_response(export: DataExport) -> FileResponse:
    """The export's archive as a streamed, private, never-cached attachment (404 if its file is
    gone)."""
    try:
        handle = exports.export_path(export).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    day = export.ready_at.date().isoformat() if export.ready_at else "export"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"cocreate-data-{day}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
