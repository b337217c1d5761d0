"""Markdown to safe HTML: markdown-it-py parses (raw HTML disabled), nh3 sanitizes with an
allow-list. The result is stored next to the source and is the only HTML ever marked safe."""

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str) -> str:
    """Sanitized HTML for user-written Markdown. Headings are shifted down (h1/h2 → h3/h4)
    so a post never outranks the page's own headings; links get rel=nofollow noopener."""
    html = _md.render(source or "")
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
