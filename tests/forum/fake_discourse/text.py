"""Discourse's handling of text, near enough: slugs, cooked Markdown, excerpts, titles."""

from __future__ import annotations

import html
import re
import unicodedata

from .. import markdown


def slugify(title: str) -> str:
    """Discourse's default ("ascii") slug generation, near enough."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    return text or "topic"


def cook(raw: str) -> str:
    """Discourse's Markdown as ``tests/forum/markdown.py`` renders it (markdown-it); HTML
    comments are dropped, as Discourse's sanitizer drops them; ``raw`` keeps them as sent."""
    return markdown.cook(raw.replace("\r\n", "\n"))


def _plain_excerpt(cooked: str, length: int = 200) -> tuple[str, bool]:
    text = html.unescape(re.sub(r"<[^>]+>", " ", cooked))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > length:
        return html.escape(text[:length].rstrip(), quote=False) + "&hellip;", True
    return html.escape(text, quote=False), False


def _prettify_title(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip()
    title = re.sub(r"!{2,}", "!", title)
    title = re.sub(r"\?{2,}", "?", title)
    title = re.sub(r"\.+$", "", title) if not title.endswith("...") else title
    if title and title[0].islower():
        title = title[0].upper() + title[1:]
    return title


def _stripped_length(text: str) -> int:
    return len(re.sub(r"<!--.*?-->", "", text, flags=re.S).strip())
