"""Every language the site offers is complete: each of the project's msgids is translated in its
catalogue (nothing empty, nothing fuzzy, the same placeholders), the compiled .mo that the site
loads is the .po as it stands, and the catalogue holds every string the code marks for
translation (a fresh extraction, as ``make messages`` does it, finds nothing new). And a page
asked for in German is in German.

The checks run for every language in ``settings.LANGUAGES`` except English (the source).
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ..conftest import require_or_skip

REPO = Path(settings.BASE_DIR)
LOCALE = Path(settings.LOCALE_PATHS[0])
# What makemessages reads: the apps, the project package, the site templates (``make messages``
# runs it at the repository root with .venv, tests and bench ignored).
SOURCES = ("accounts", "cocreate", "communities", "events", "knowledge", "moderation",
           "notifications", "templates", "manage.py")  # fmt: skip
MAKEMESSAGES_IGNORES = ("--ignore=.venv", "--ignore=tests", "--ignore=bench")

PENDING = {"fr": "French catalogue arrives from the fr branch"}
OFFERED = [
    pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=PENDING[code]))
    if code in PENDING
    else code
    for code, _name in settings.LANGUAGES
    if code != settings.LANGUAGE_CODE
]


# --- a .po file, read as gettext writes it ------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index (0 when no plural)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _string(literal: str) -> str:
    # A PO string literal has C escapes, which a Python literal reads the same way.
    return ast.literal_eval(literal)


def read_po(path: Path) -> list[Entry]:
    """The entries of ``path`` (the header first), obsolete (#~) ones left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        match = _KEYWORD.match(line)
        starts_entry = line.startswith("#") or (match and match.group(1) in ("msgctxt", "msgid"))
        # An entry ends with its msgstr: a comment or msgid after one begins the next entry.
        if entry is None or (starts_entry and entry.msgstr):
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#"):
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if match:
            name, index, literal = match.groups()
            target = ("msgstr", int(index or 0)) if name.startswith("msgstr") else (name, 0)
        elif line.startswith('"'):
            literal = line
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + _string(literal)
        else:
            if match:
                setattr(entry, name, "")
            setattr(entry, name, getattr(entry, name) + _string(literal))
    return entries


def _nplurals(header: Entry) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr.get(0, ""))
    assert match, "the catalogue's header has no Plural-Forms"
    return int(match.group(1))


_PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdif]|\{\w*\}")


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in _PLACEHOLDER.finditer(text.replace("%%", "")))


def _po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


# --- the catalogues as committed -----------------------------------------------------------


@pytest.mark.parametrize("language", OFFERED)
def test_every_msgid_is_translated_and_none_is_fuzzy(language):
    path = _po_path(language)
    assert path.exists(), f"{path} is missing: run make messages, then translate it"
    header, *entries = read_po(path)
    assert header.msgid == "" and "fuzzy" not in header.flags, "the header is fuzzy"
    nplurals = _nplurals(header)
    assert entries, f"{path} has no entries"
    problems = []
    for entry in entries:
        where = f"{path.name}:{entry.line} {entry.msgid[:60]!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy")
        forms = nplurals if entry.msgid_plural is not None else 1
        if sorted(entry.msgstr) != list(range(forms)):
            problems.append(f"{where}: {len(entry.msgstr)} forms, the language has {forms}")
        if not all(entry.msgstr.get(i) for i in range(forms)):
            problems.append(f"{where}: not translated")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", OFFERED)
def test_translations_keep_the_placeholders(language):
    """A translation with a placeholder the source lacks raises KeyError when it is shown; one
    that drops a placeholder loses what it said (a plural form may drop the count)."""
    _header, *entries = read_po(_po_path(language))
    problems = []
    for entry in entries:
        if entry.msgid_plural is None:
            expected = _placeholders(entry.msgid)
            if _placeholders(entry.msgstr.get(0, "")) != expected:
                problems.append(f"{entry.msgid!r}: {entry.msgstr.get(0)!r}")
            continue
        allowed = set(_placeholders(entry.msgid)) | set(_placeholders(entry.msgid_plural))
        for text in entry.msgstr.values():
            if not set(_placeholders(text)) <= allowed:
                problems.append(f"{entry.msgid_plural!r}: {text!r}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", OFFERED)
def test_compiled_catalogue_is_the_po_as_it_stands(language, tmp_path):
    """The .mo the site loads is committed (``make run`` needs no gettext): it must be what
    ``make compilemessages`` makes of the .po now. Compared as catalogues, not bytes, so another
    msgfmt version that lays out the file differently still agrees."""
    po = _po_path(language)
    mo = po.with_suffix(".mo")
    assert po.exists(), f"{po} is missing"
    assert mo.exists(), f"{mo} is missing: run make compilemessages and commit it"
    msgfmt = shutil.which("msgfmt")
    require_or_skip(msgfmt is not None, "msgfmt (GNU gettext) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(po)], check=True)  # noqa: S603
    with mo.open("rb") as committed, fresh.open("rb") as compiled:
        committed_catalogue = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
        compiled_catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    stale = {
        key
        for key in committed_catalogue.keys() | compiled_catalogue.keys()
        if committed_catalogue.get(key) != compiled_catalogue.get(key)
    }
    assert not stale, (
        f"{mo} is out of date with {po.name} ({len(stale)} messages differ, e.g. "
        f"{sorted(map(str, stale))[:5]}): run make compilemessages and commit the .mo"
    )


# --- what the source marks for translation ---------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[tuple[str | None, str, str | None]]:
    """The msgids makemessages finds in a copy of the source tree (in a temporary directory,
    so the repository's catalogues are never touched): the copy's settings put LOCALE_PATHS in
    the copy, and the extraction is the same for every language."""
    gettext_tools = ("xgettext", "msguniq", "msgmerge", "msgattrib")
    require_or_skip(
        all(shutil.which(tool) for tool in gettext_tools),
        "GNU gettext (xgettext, msgmerge) is not installed",
    )
    root = tmp_path_factory.mktemp("extraction")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    (root / "locale").mkdir()
    committed = {path: path.read_bytes() for path in LOCALE.rglob("*.po")}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-l", "de", *MAKEMESSAGES_IGNORES],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    written = root / "locale" / "de" / "LC_MESSAGES" / "django.po"
    assert written.exists(), f"makemessages did not write {written}"
    assert {path: path.read_bytes() for path in LOCALE.rglob("*.po")} == committed, (
        "the extraction wrote into the repository's catalogues"
    )
    return {entry.key for entry in read_po(written)[1:]}


@pytest.mark.parametrize("language", OFFERED)
def test_catalogue_holds_every_string_the_code_marks(language, extracted):
    path = _po_path(language)
    assert path.exists(), f"{path} is missing"
    catalogue = {entry.key for entry in read_po(path)[1:]}
    missing = sorted(extracted - catalogue, key=str)
    stale = sorted(catalogue - extracted, key=str)
    assert not missing, (
        f"{len(missing)} strings are not in {language}'s catalogue (run make messages and "
        f"translate them): {[msgid for _ctx, msgid, _plural in missing][:10]}"
    )
    assert not stale, (
        f"{len(stale)} msgids in {language}'s catalogue are no longer in the code (run make "
        f"messages): {[msgid for _ctx, msgid, _plural in stale][:10]}"
    )


def test_extraction_finds_the_projects_strings(extracted):
    """The extraction above reads the templates and the Python code (else it proves nothing)."""
    msgids = {msgid for _ctx, msgid, _plural in extracted}
    assert {"Skip to content", "Your profile was saved.", "Moderation queue"} <= msgids
    assert ("%(counter)s member" in msgids) and len(extracted) > 500


def test_the_reader_sees_fuzzy_plural_and_multiline_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "Hi %(name)s"\nmsgstr "Hallo %(name)s"\n\n'
        '#: a.py:2\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "eins"\nmsgstr[1] ""\n\n'
        'msgctxt "verb"\nmsgid ""\n"Open \\"it\\"\\n"\n"now"\nmsgstr ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n',
        encoding="utf-8",
    )
    header, fuzzy, plural, multiline = read_po(po)
    assert _nplurals(header) == 2
    assert fuzzy.flags == {"fuzzy", "python-format"} and fuzzy.msgstr == {0: "Hallo %(name)s"}
    assert plural.key == (None, "one", "many") and plural.msgstr == {0: "eins", 1: ""}
    assert multiline.key == ("verb", 'Open "it"\nnow', None) and multiline.msgstr == {0: ""}
    assert _placeholders("%(n)s of %(total)d, {x} and 100%%") == ["%(n)s", "%(total)d", "{x}"]


# --- a page in German -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_asked_for_in_german_is_in_german(client, community):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = client.get(reverse("communities:directory")).content.decode()
    assert '<html lang="de">' in html
    assert "Gemeinschaften" in html and "Anmelden" in html and "Registrieren" in html
    for english in (">Communities<", "Sign in", "Sign up", "Skip to content", "Find communities"):
        assert english not in html, f"{english!r} is still English"
