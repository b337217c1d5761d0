"""A time formatted at the end of a sentence must not take the sentence's period: in English
"3 p.m." already ends in one ("valid until Jan. 5, 2030, 3 p.m.." was seen). Every template's
translatable text that puts a date-and-time last is phrased so that no period follows it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "communities", "knowledge", "moderation", "notifications", "templates"]
BLOCK = re.compile(
    r"{%\s*blocktranslate\b(?P<args>[^%]*)%}(?P<body>.*?){%\s*endblocktranslate", re.S
)
TIMED = re.compile(r"(\w+)=[^\s%]+\|(?:date|time):\"(?:DATETIME_FORMAT|TIME_FORMAT)\"")


def _templates():
    for app in APPS:
        yield from (ROOT / app).rglob("*.html")
        yield from (ROOT / app).rglob("*.txt")


def test_no_template_ends_a_sentence_with_a_time():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for block in BLOCK.finditer(text):
            for name in TIMED.findall(block["args"]):
                if re.search(r"{{\s*" + name + r"\s*}}\.", block["body"]):
                    offenders.append(f"{path.relative_to(ROOT)}: {block['body'].strip()}")
    assert offenders == []


def test_the_check_finds_a_time_that_ends_a_sentence():
    sample = (
        '{% blocktranslate with d=x|date:"DATETIME_FORMAT" %}'
        "Valid until {{ d }}.{% endblocktranslate %}"
    )
    (block,) = BLOCK.finditer(sample)
    assert TIMED.findall(block["args"]) == ["d"]
    assert re.search(r"{{\s*d\s*}}\.", block["body"])
