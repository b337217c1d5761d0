"""Markdown to safe HTML: markdown-it-py parses (raw HTML disabled), nh3 sanitizes with an
allow-list. The result is stored next to the source and is the only HTML ever marked safe.

@mentions the caller resolved become links (``<a class="mention">``) in the parse itself, never
by editing HTML: only plain text outside links and code is looked at, and the link's text is
the author's own, escaped like any other text."""

import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .mentions import MENTION_RE

MENTION_CLASS = "mention"


def _mention_tokens(text: Token, links: Mapping[str, str]) -> list[Token]:
    """``text`` split around the mentions ``links`` knows; unknown handles stay text."""
    out: list[Token] = []
    content, start = text.content, 0
    for match in MENTION_RE.finditer(content):
        href = links.get(match.group(1).lower())
        if href is None:
            continue
        if match.start() > start:
            out.append(_text(content[start : match.start()], text.level))
        link = Token("link_open", "a", 1, level=text.level, markup=MENTION_CLASS)
        link.attrSet("href", href)
        link.attrSet("class", MENTION_CLASS)
        out += [link, _text(match.group(0), text.level + 1), Token("link_close", "a", -1)]
        start = match.end()
    if not out:
        return [text]
    if start < len(content):
        out.append(_text(content[start:], text.level))
    return out


def _text(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


def _link_mentions(state: StateCore) -> None:
    links: Mapping[str, str] = state.env.get("mentions") or {}
    if not links:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0  # a mention inside a link's text stays that link's text
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            if token.type == "text" and not in_link and "@" in token.content:
                children += _mention_tokens(token, links)
            else:
                children.append(token)
        block.children = children


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
# After text_join: each run of plain text is one token (code spans and links are their own).
_md.core.ruler.push("mentions", _link_mentions)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str, *, mentions: Mapping[str, str] | None = None) -> str:
    """Sanitized HTML for user-written Markdown. Headings are shifted down (h1/h2 → h3/h4)
    so a post never outranks the page's own headings; links get rel=nofollow noopener.

    ``mentions`` maps lower-case handles to the address their mention links to (see
    ``knowledge.mentions.mention_links``); other @handles stay text."""
    html = _md.render(source or "", {"mentions": mentions or {}})
    html = (
        html.replace("<h1>", "<h3>")
        .replace("</h1>", "</h3>")
        .replace("<h2>", "<h4>")
        .replace("</h2>", "</h4>")
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"a": {MENTION_CLASS}},
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        clean_content_tags={"script", "style"},
    )


_URL_RE = re.compile(r"(?i)(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\bmailto:)")


def count_links(source: str) -> int:
    """How many links a Markdown text carries, for the rate limits on new members: every
    address-like token (``https://``, ``www.``, ``mailto:``) whether or not Markdown turns it
    into a link, or the rendered links if there are more (reference-style links)."""
    source = source or ""
    return max(len(_URL_RE.findall(source)), render_markdown(source).count("<a "))
