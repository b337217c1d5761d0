"""Matrix cases for "Your data" (data export) and account deletion. Everything here is the
signed-in person's own: anonymous visitors go to the login page, except the download, which
answers 404 to everyone but the export's owner — signed out included (no redirect that would
confirm the link exists)."""

from django.utils import timezone

from trust.models import DataExport
from trust.models.export import EXPORT_RETENTION, export_token
from trust.services.export import export_path

from .matrix import Case, expect

SIGNED_IN = expect(200, anonymous=302)


def _member_export(w) -> DataExport:
    """A ready export of the member's, with its file."""
    if "member_export" not in w.extra:
        now, token = timezone.now(), export_token()
        export = DataExport.objects.create(
            id=token,
            user=w.users["member"],
            status=DataExport.Status.READY,
            ready_at=now,
            expires_at=now + EXPORT_RETENTION,
            file_name=f"{token}.zip",
        )
        export_path(export).write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty ZIP
        w.extra["member_export"] = export
    return w.extra["member_export"]


CASES = [
    Case("trust:data", "GET", lambda w: "/accounts/data/", SIGNED_IN),
    # Requesting an export: every signed-in person may export their own data.
    Case("trust:data", "POST", lambda w: "/accounts/data/", expect(302)),
    Case("trust:exports", "GET", lambda w: "/accounts/data/exports/", SIGNED_IN),
    Case(
        "trust:export_download",
        "GET",
        lambda w: f"/accounts/data/exports/{_member_export(w).pk}/download/",
        expect(404, member=200),
    ),
    Case("trust:erase", "GET", lambda w: "/accounts/delete/", SIGNED_IN),
    Case(
        "trust:erase",
        "POST",
        lambda w: "/accounts/delete/",
        expect(400, anonymous=302),
        data=lambda w: {"password": "not the password"},
        note="wrong-password",
    ),
    Case(
        "trust:erase",
        "POST",
        lambda w: "/accounts/delete/",
        expect(302),
        data=lambda w: {"password": "correct horse battery staple"},
    ),
]
