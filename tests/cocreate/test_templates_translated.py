"""Every word a person reads in a template is marked for translation: text between tags and the
attributes people read (aria-label, title, alt, placeholder) come from {% translate %} or
{% blocktranslate %}, or from a variable. Brand names are the only words left as they are."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BRAND = {"Cocreate"}
READ_ATTRIBUTES = r"aria-label|title|alt|placeholder"

_DROPPED = [
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S),
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
]
_TAGS_AND_VARIABLES = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’]+(?:[ \t]+[A-Za-z][A-Za-z'’]*)*")


def untranslated(source: str) -> list[str]:
    """The words of a template a person would read in English whatever their language."""
    text = source
    for pattern in _DROPPED:
        text = pattern.sub(" ", text)
    found = []
    for match in re.finditer(rf'\b({READ_ATTRIBUTES})="([^"]*)"', text):
        if _WORDS.search(_TAGS_AND_VARIABLES.sub("", match.group(2))):
            found.append(match.group(0))
    text = _TAGS_AND_VARIABLES.sub(" ", text)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    found += [word for word in _WORDS.findall(text) if word not in BRAND]
    return found


def _templates() -> list[Path]:
    paths = []
    for pattern in ("templates/**/*.html", "*/templates/**/*.html", "*/templates/**/*.txt"):
        paths += [p for p in ROOT.glob(pattern) if ".venv" not in p.parts]
    return sorted(paths)


def test_the_check_finds_what_is_not_marked():
    sample = (
        '{% load i18n %}<h1>Ideas</h1><p>{% translate "Fine" %}</p>'
        '<nav aria-label="Main">{{ name }}</nav><img alt="{% translate \'Logo\' %}">'
        "{% blocktranslate %}Also fine{% endblocktranslate %}{# a comment #}"
    )
    assert untranslated(sample) == ['aria-label="Main"', "Ideas"]


def test_there_are_templates_to_check():
    assert len(_templates()) > 100


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_template_string_is_marked_for_translation(path):
    assert untranslated(path.read_text()) == []
