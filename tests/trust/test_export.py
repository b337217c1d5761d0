"""Data export: one running at a time, the archive's contents (JSON, CSV, README), progress,
the ready notification event, expiry and the purge."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cocreate.errors import Conflict
from events.models import OutboxEvent
from incentives.services.ledger import system_account, transfer, wallet_for
from knowledge.models import Comment, Contribution
from trust import archive
from trust.models import DataExport
from trust.services import export as exports
from trust.tasks import export_build, export_purge

from .support import archive_of, build_export, records, rich_world

pytestmark = pytest.mark.django_db


def test_an_export_holds_every_record_of_the_member_as_json_and_csv(
    django_capture_on_commit_callbacks,
):
    w = rich_world()
    member = w.users["member"]
    # What there is before the request (the export adds its own row, its notice comes after).
    before = {kind.name: kind.queryset(member).count() for kind in archive.plan()}
    before["trust.dataexport"] += 1
    export = build_export(member, django_capture_on_commit_callbacks)
    assert export.status == DataExport.Status.READY
    assert export.expires_at == export.ready_at + timedelta(days=7)
    assert export.size > 0 and export.done == export.total > 0
    zf = archive_of(export)
    names = set(zf.namelist())
    for kind in archive.plan():
        assert {f"{kind.name}.json", f"{kind.name}.csv"} <= names
        rows = records(zf, kind.name)
        assert len(rows) == before[kind.name], kind.name
        lines = list(csv.reader(io.StringIO(zf.read(f"{kind.name}.csv").decode())))
        assert lines[0] == list(kind.columns) and len(lines) == len(rows) + 1
    [profile] = records(zf, "accounts.user")
    assert profile["email"] == member.email and "password" not in profile
    comments = records(zf, "knowledge.comment")
    assert {c["id"] for c in comments} == set(
        Comment.objects.filter(author=member).values_list("id", flat=True)
    )
    assert len(comments) == 2
    contributions = records(zf, "knowledge.contribution")
    assert {c["title"] for c in contributions} == {"Wax the chain", "Half an idea"}
    assert "search_vector" not in contributions[0]
    # Someone else's contribution and comment are not in it.
    assert not any(c["author_id"] != member.pk for c in comments)
    assert Contribution.objects.exclude(author=member).exists()
    moderation = records(zf, "moderation.moderationaction")
    assert [a["reason"] for a in moderation] == ["Please stay on topic."]
    [token] = records(zf, "authtoken.token")
    assert "key" not in token


def test_the_readme_explains_every_file_and_every_field(django_capture_on_commit_callbacks):
    w = rich_world()
    export = build_export(w.users["member"], django_capture_on_commit_callbacks)
    readme = archive_of(export).read("README.txt").decode()
    for kind in archive.plan():
        assert f"{kind.name}.json / {kind.name}.csv" in readme
        section = readme.split(f"{kind.name}.json / {kind.name}.csv", 1)[1].split("\n\n", 1)[0]
        for column in kind.columns:
            assert f"  - {column} (" in section, (kind.name, column)
    assert "status (CharField): Status. One of: draft = Draft" in readme


def test_a_second_request_while_one_is_running_is_refused_and_writes_nothing(member):
    first = exports.export_request(user=member)  # not committed: its build is not run
    with pytest.raises(Conflict) as refused:
        exports.export_request(user=member)
    assert refused.value.code == "export_running"
    assert list(DataExport.objects.filter(user=member)) == [first]


def test_the_database_refuses_two_running_exports_of_one_member(member):
    from django.db import IntegrityError, transaction  # noqa: PLC0415

    DataExport.objects.create(user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataExport.objects.create(user=member, status=DataExport.Status.BUILDING)


def test_after_one_is_ready_another_may_be_requested(member, django_capture_on_commit_callbacks):
    build_export(member, django_capture_on_commit_callbacks)
    second = build_export(member, django_capture_on_commit_callbacks)
    assert second.status == DataExport.Status.READY
    assert DataExport.objects.filter(user=member).count() == 2


def test_ready_records_an_export_ready_event_for_the_member(
    member, django_capture_on_commit_callbacks
):
    build_export(member, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(kind="export.ready")
    assert event.payload["recipient_id"] == member.pk and event.actor_id is None


def test_the_task_is_idempotent(member, django_capture_on_commit_callbacks):
    export = build_export(member, django_capture_on_commit_callbacks)
    assert export_build.apply(args=[export.pk]).get() == "ready"
    assert OutboxEvent.objects.filter(kind="export.ready").count() == 1
    assert DataExport.objects.get(pk=export.pk).ready_at == export.ready_at


def test_a_redelivered_build_restarts_an_export_left_building(member):
    export = DataExport.objects.create(user=member, status=DataExport.Status.BUILDING, done=0)
    assert export_build.apply(args=[export.pk]).get() == "ready"
    assert archive_of(DataExport.objects.get(pk=export.pk)).testzip() is None


def test_progress_is_written_as_the_archive_grows(member, monkeypatch):
    seen: list[tuple[int, int]] = []
    real = exports.archive.write_archive

    def spying(**kwargs):
        inner = kwargs["progress"]

        def progress(done):
            inner(done)
            row = DataExport.objects.get(pk=export.pk)
            seen.append((row.done, row.total))

        return real(**{**kwargs, "progress": progress})

    monkeypatch.setattr(exports.archive, "write_archive", spying)
    monkeypatch.setattr(archive, "CHUNK", 1)
    export = DataExport.objects.create(user=member)
    exports.export_build(export_id=export.pk)
    total = DataExport.objects.get(pk=export.pk).total
    assert len(seen) > 3 and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert all(0 < t == total for _, t in seen)


def test_a_failed_build_is_marked_failed_and_leaves_no_file(member, monkeypatch):
    def broken(**kwargs):
        Path(kwargs["path"]).write_bytes(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports.archive, "write_archive", broken)
    export = DataExport.objects.create(user=member)
    assert exports.export_build(export_id=export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == "failed" and "disk full" in export.error
    assert not exports.export_path(export).exists()
    exports.export_request(user=member)  # a failed one does not block a new request


def test_the_purge_deletes_expired_archives_and_fails_stale_builds(
    member, django_capture_on_commit_callbacks
):
    export = build_export(member, django_capture_on_commit_callbacks)
    path = exports.export_path(export)
    assert path.exists()
    assert export_purge.apply().get() == 0  # not yet expired
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    stale = DataExport.objects.create(user=member)
    DataExport.objects.filter(pk=stale.pk).update(requested_at=timezone.now() - timedelta(hours=7))
    assert export_purge.apply().get() == 2
    assert not path.exists()
    assert DataExport.objects.get(pk=export.pk).status == "expired"
    assert DataExport.objects.get(pk=stale.pk).status == "failed"


def test_export_ids_are_random_tokens(member):
    a = DataExport.objects.create(user=member, status="failed")
    b = DataExport.objects.create(user=member, status="failed")
    assert len(a.pk) >= 43 and a.pk != b.pk and not a.pk.isdigit()


def test_archives_are_written_to_the_private_directory_owner_only(
    member, django_capture_on_commit_callbacks, settings
):
    export = build_export(member, django_capture_on_commit_callbacks)
    path = exports.export_path(export)
    assert path.parent == settings.EXPORT_ROOT
    assert path.stat().st_mode & 0o077 == 0
    assert not str(settings.EXPORT_ROOT).startswith(str(settings.STATIC_ROOT))


def test_the_member_is_notified_when_the_export_is_ready(
    member, django_capture_on_commit_callbacks
):
    from notifications.models import Notification  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True):
        build_export(member, django_capture_on_commit_callbacks)
    [notice] = Notification.objects.filter(recipient=member, kind="export.ready")
    assert "Your data export is ready" in notice.text
    assert notice.url == "/accounts/data/"


def test_an_export_holds_the_members_points_and_not_anyone_elses(
    django_capture_on_commit_callbacks,
):
    w = rich_world()
    member, other = w.users["member"], w.users["manager"]
    issuance = system_account(community=w.community, kind="issuance")
    for who, amount in ((member, 12), (other, 99)):
        transfer(
            key=f"export-points:{who.pk}",
            debit=issuance,
            credit=wallet_for(community=w.community, user=who),
            amount=amount,
            memo="Contribution accepted",
            via="bookkeeping",
        )
    zf = archive_of(build_export(member, django_capture_on_commit_callbacks))
    [wallet] = records(zf, "incentives.account")
    assert (wallet["posted"], wallet["owner_id"]) == (12, member.pk)
    assert [(e["side"], e["amount"]) for e in records(zf, "incentives.entry")] == [("C", 12)]
    [booking] = records(zf, "incentives.transaction")
    assert booking["memo"] == "Contribution accepted" and "digest" not in booking
