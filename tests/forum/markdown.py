"""Discourse's Markdown, near enough for tests: markdown-it-py (a port of the markdown-it
Discourse runs), CommonMark with what Discourse turns on by default: a line break for each
newline (``traditional_markdown_linebreaks`` off), the typographer (``(c)``, ``--``, smart
quotes), tables and strikethrough, HTML allowed (then sanitized: comments dropped).

Not here: linkify (markdown-it-py needs linkify-it-py for it), emoji, mentions, hashtags,
BBCode and oneboxes, which Discourse adds; ``literal`` escapes their punctuation too.

``seen`` is what a reader sees of a post: its cooked HTML's text, whitespace collapsed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

DISCOURSE = MarkdownIt("commonmark", {"breaks": True, "typographer": True, "html": True}) \
    .enable(["replacements", "smartquotes", "table", "strikethrough"])


def cook(raw: str) -> str:
    """Cooked HTML of ``raw``; HTML comments dropped, as Discourse's sanitizer (js-xss,
    ``allowCommentTag`` off) drops them (``raw`` keeps them as sent)."""
    return re.sub(r"<!--.*?-->\n?", "", DISCOURSE.render(raw), flags=re.S).strip()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.text.append(" ")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read(cooked: str) -> tuple[list[str], str]:
    """The tags of ``cooked`` (opening ones, in order) and its text, whitespace collapsed."""
    reader = _Reader()
    reader.feed(cooked)
    reader.close()
    return reader.tags, collapsed("".join(reader.text))


def collapsed(text: str) -> str:
    return " ".join(text.split())


def seen(raw: str) -> str:
    """What a reader sees of ``raw``: the text of its cooked HTML, whitespace collapsed."""
    return read(cook(raw))[1]
