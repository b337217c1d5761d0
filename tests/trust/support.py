"""Shared set-up for the trust tests: a member with a rich history, an export built."""

import io
import json
import zipfile

from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token

from knowledge import services as knowledge
from trust.models import DataExport
from trust.services import export as exports

from ..authz.world import World, build_world
from ..factories import UserFactory


def rich_world() -> World:
    """The authorization world (the member has a contribution, a draft, memberships in three
    communities, a flag, a warning), plus: the member's comment and reply, a support, a follow,
    an API token, and another member's comment that mentions the member by handle."""
    w = build_world()
    member, moderator = w.users["member"], w.users["moderator"]
    # A name, handle and address found nowhere else (the world's "Member" is a common word).
    member.display_name, member.handle = "Zelda Quintero", "zquintero"
    member.bio, member.expertise_tags = "Bikes and chains.", ["chains", "wax"]
    member.save()
    old = member.email
    member.email = "zelda.q@example.test"
    member.save(update_fields=["email"])
    EmailAddress.objects.filter(user=member, email=old).update(email=member.email)
    EmailAddress.objects.create(user=member, email="zq-second@example.test", verified=True)
    w.extra["member_comment"] = knowledge.comment_create(
        author=member, discussion=w.contribution.discussion, body="Wax lasts **longer**."
    )
    knowledge.comment_create(author=member, parent=w.comment, body="More soon, promise.")
    knowledge.support_add(user=moderator, contribution=w.contribution)
    other = knowledge.contribution_create(
        author=moderator,
        community=w.community,
        toolkit=w.toolkit,
        title="Belt drives",
        fields={"problem": "Noise"},
    )
    knowledge.support_add(user=member, contribution=other)
    w.extra["mentioning_comment"] = knowledge.comment_create(
        author=moderator,
        discussion=other.discussion,
        body=f"What do you think, @{member.handle}? Ask @{member.handle.upper()} too.",
    )
    w.extra["other_contribution"] = other
    Token.objects.create(user=member)
    w.extra["bystander"] = UserFactory(display_name="Bystander")
    return w


def build_export(user, django_capture_on_commit_callbacks) -> DataExport:
    """Request an export and run its (eager) build after commit; the export, reloaded."""
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.export_request(user=user)
    return DataExport.objects.get(pk=export.pk)


def archive_of(export: DataExport) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(exports.export_path(export).read_bytes()))


def records(archive: zipfile.ZipFile, kind: str) -> list[dict]:
    return json.loads(archive.read(f"{kind}.json"))
