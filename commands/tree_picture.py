"""The cooptation tree as a PNG, drawn with Pillow and a layout of its own (no Graphviz).

The layout is an outline: one row per member, indented under the member that coopted it,
with an elbow from its parent; each row says the member's name, the day it was admitted and
by which proposal (the edge's date), "founder" for a root, "left"/"suspended" in grey, and
when it came back. A long tree is set in columns so the picture stays near 3:2 (200 members:
four columns of 50); a column that starts inside a branch repeats, faded, the members above
its first row, so every row still hangs from its parent.

Pillow and the font are loaded by ``draw`` only: the bot imports this module when a
tree is drawn, never at start. The font is Source Sans Pro from the ``font-source-sans-pro``
package (Pillow's built-in font has no accented letters, and slim images have no system
fonts); DejaVu Sans from the system, or Pillow's font, stand in if it is missing.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from .render import text
from .timefmt import show_day, show_short_day
from .tree import Node, Tree

ROW = 26            # px per row
INDENT = 22         # px per level
DOT = 9             # a member's dot
GAP = 8             # between the dot and the name
MARGIN = 28
COLUMN_GAP = 40
ONE_COLUMN = 45     # up to this many rows, one column
ASPECT = 1.5        # width / height aimed at for longer trees
MAX_NAME = 48       # characters of a name shown
TOP = MARGIN + 34 + 28  # the first row, under the title and subtitle

INK = (33, 37, 41)
FAINT = (134, 142, 150)
LINE = (173, 181, 189)
FOUNDER = (25, 77, 145)
MEMBER = (12, 122, 107)
TITLE = (20, 24, 28)


@dataclass(frozen=True)
class _Row:
    node: Node
    depth: int
    context: bool = False   # repeated above a column's first row, faded


@dataclass(frozen=True)
class _Layout:
    columns: list[list[_Row]]
    widths: list[float]
    labels: dict[str, tuple[str, str]]
    title: str
    subtitle: str
    continued: str
    width: int
    height: int


def layout(tree: Tree, lang: str, zone: ZoneInfo, day: date) -> tuple[int, int]:
    """The width and height in pixels ``draw`` would give the picture, without drawing it
    (so a picture too large is refused before its pixels are allocated)."""
    placed = _layout(tree, lang, zone, day)
    return placed.width, placed.height


def draw(tree: Tree, lang: str, zone: ZoneInfo, day: date) -> tuple[bytes, int, int]:
    """The PNG of ``tree`` in ``lang`` (dates in the group's zone), and its width and
    height in pixels."""
    from PIL import Image, ImageDraw

    fonts = _fonts()
    placed = _layout(tree, lang, zone, day)
    width, height = placed.width, placed.height
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    pen.text((MARGIN, MARGIN), placed.title, font=fonts.title, fill=TITLE)
    pen.text((MARGIN, MARGIN + 36), placed.subtitle, font=fonts.meta, fill=FAINT)
    x = MARGIN
    for column, column_width in zip(placed.columns, placed.widths):
        _draw_column(pen, fonts, column, placed.labels, x, TOP, placed.continued)
        x += int(column_width) + COLUMN_GAP
    # A white page of text in a few colours needs no more than a fixed palette (each ink
    # and its shades towards white, for smooth letters): a third of the bytes, quicker to
    # write, and no buffer the size of the picture (an adaptive palette's costs 40 MB).
    image = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue(), width, height


def _layout(tree: Tree, lang: str, zone: ZoneInfo, day: date) -> _Layout:
    fonts = _fonts()
    rows = tree.rows()
    labels = {node.slug: _label(tree, node, lang, zone) for node, _ in rows}

    def width_of(node: Node, depth: int) -> float:
        name, meta = labels[node.slug]
        return (depth * INDENT + DOT + GAP + fonts.name.getlength(name)
                + fonts.meta.getlength(meta))

    continued = text(lang, "tree.continued")
    extra = fonts.meta.getlength(f" {continued}")  # after the last faded row of a column
    columns = _columns(rows, width_of)
    widths = [max(width_of(r.node, r.depth) + (extra if r.context else 0) for r in column)
              for column in columns]
    title = text(lang, "tree.title", group=tree.name)
    subtitle = text(lang, "tree.subtitle", count=len(tree.nodes), founders=tree.founders,
                    day=show_day(day, lang))
    width = int(max(sum(widths) + COLUMN_GAP * (len(columns) - 1),
                    fonts.title.getlength(title), fonts.meta.getlength(subtitle))) + 2 * MARGIN
    height = TOP + max(len(column) for column in columns) * ROW + MARGIN
    return _Layout(columns, widths, labels, title, subtitle, continued, width, height)


def _columns(rows: list[tuple[Node, int]], width_of) -> list[list[_Row]]:
    """The rows cut into columns of about equal length, each after the first opening with
    the ancestors of its first row (faded context)."""
    if len(rows) <= ONE_COLUMN:
        return [[_Row(node, depth) for node, depth in rows]]
    # A column is as wide as its widest row; a few long ones (a readmission's note) should
    # not decide how many columns there are: the ninth decile does.
    widths = sorted(width_of(node, depth) for node, depth in rows)
    typical = widths[int(len(widths) * 0.9)] + COLUMN_GAP
    count = max(2, round(math.sqrt(ASPECT * len(rows) * ROW / typical)))
    per = math.ceil(len(rows) / count)
    columns: list[list[_Row]] = []
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        context = _ancestors(rows, start) if start else []
        columns.append([_Row(node, depth, True) for node, depth in context]
                       + [_Row(node, depth) for node, depth in chunk])
    return columns


def _ancestors(rows: list[tuple[Node, int]], index: int) -> list[tuple[Node, int]]:
    """The rows above ``rows[index]`` on its way up to its root, root first."""
    chain: list[tuple[Node, int]] = []
    wanted = rows[index][1] - 1
    for node, depth in reversed(rows[:index]):
        if wanted < 0:
            break
        if depth == wanted:
            chain.append((node, depth))
            wanted -= 1
    return list(reversed(chain))


def _draw_column(pen, fonts, column: list[_Row], labels: dict[str, tuple[str, str]], x0: int,
                 top: int, continued: str) -> None:
    last_at_depth: dict[int, int] = {}    # depth -> index of the last row seen at it
    context = sum(1 for row in column if row.context)
    for index, row in enumerate(column):
        y = top + index * ROW
        middle = y + ROW // 2
        dot_x = x0 + row.depth * INDENT
        if row.depth and row.depth - 1 in last_at_depth:
            parent_y = top + last_at_depth[row.depth - 1] * ROW + ROW // 2
            elbow = x0 + (row.depth - 1) * INDENT + DOT // 2
            pen.line([(elbow, parent_y + DOT // 2 + 1), (elbow, middle)], fill=LINE, width=1)
            pen.line([(elbow, middle), (dot_x, middle)], fill=LINE, width=1)
        last_at_depth[row.depth] = index
        for deeper in [d for d in last_at_depth if d > row.depth]:
            del last_at_depth[deeper]
        node = row.node
        active = node.status == "active" and not row.context
        colour = FOUNDER if node.founder else MEMBER
        box = [dot_x, middle - DOT // 2, dot_x + DOT, middle - DOT // 2 + DOT]
        if node.status == "active":
            pen.ellipse(box, fill=colour if active else LINE)
        else:
            pen.ellipse(box, outline=FAINT, fill="white", width=2)
        name, meta = labels[node.slug]
        if row.context and index == context - 1:
            meta = f"{meta} {continued}"
        text_x = dot_x + DOT + GAP
        text_y = middle - fonts.size // 2 - 2
        pen.text((text_x, text_y), name, font=fonts.name, fill=INK if active else FAINT)
        pen.text((text_x + fonts.name.getlength(name), text_y + 1), meta, font=fonts.meta,
                 fill=FAINT)


def _label(tree: Tree, node: Node, lang: str, zone: ZoneInfo) -> tuple[str, str]:
    """(the name, what follows it): the admission day and proposal, founder, status, return."""
    name = _short_name(node.name)
    first = node.admissions[0] if node.admissions else None
    parts = []
    if first is not None and first.at is not None:
        parts.append(_short(first.at, zone, lang))
    if node.founder:
        parts.append(text(lang, "tree.founder"))
    elif first is not None and first.proposal:
        parts.append(first.proposal)
    for again in node.admissions[1:]:
        if again.at is not None:
            by = tree.nodes[again.coopted_by].name if again.coopted_by in tree.nodes \
                else again.coopted_by or "-"
            back = text(lang, "tree.readmitted", day=_short(again.at, zone, lang),
                        by=_short_name(by))
            parts.append(f"{back} ({again.proposal})" if again.proposal else back)
    if node.status != "active":
        parts.append(text(lang, f"member.{node.status}"))
    return name, "".join(f"  ·  {part}" for part in parts)


def _short_name(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"


def _short(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    return show_short_day(moment.astimezone(zone).date(), lang)


@lru_cache(maxsize=1)
def _palette():
    from PIL import Image

    colours = [(255, 255, 255), INK, FAINT, LINE, FOUNDER, MEMBER, TITLE]
    for ink, steps in ((INK, 32), (FAINT, 16), (TITLE, 8)):
        colours += [tuple(round(c + (255 - c) * step / steps) for c in ink)
                    for step in range(1, steps)]
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for colour in colours for c in colour])
    return palette


@dataclass(frozen=True)
class _Fonts:
    title: object
    name: object
    meta: object
    size: int


@lru_cache(maxsize=1)
def _fonts() -> _Fonts:
    size = 15
    regular, bold = _font_files()
    return _Fonts(_load(bold, 24), _load(bold, size), _load(regular, size - 1), size)


def _font_files() -> tuple[str | None, str | None]:
    """(regular, semibold) font files: the packaged Source Sans Pro, else DejaVu Sans."""
    try:
        from importlib import resources

        folder = resources.files("font_source_sans_pro") / "files"
        return (str(folder / "SourceSansPro-Regular.ttf"),
                str(folder / "SourceSansPro-Semibold.ttf"))
    except ModuleNotFoundError:
        pass
    system = "/usr/share/fonts/truetype/dejavu/DejaVuSans"
    return f"{system}.ttf", f"{system}-Bold.ttf"


def _load(path: str | None, size: int):
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)
    except OSError:
        return ImageFont.load_default(size)
