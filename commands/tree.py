"""The cooptation tree (issue 13, item 2): who coopted whom, read from each member's history.

A member's **admissions** are its first period (a founder's, or the cooptation that made it a
member) and every later cooptation that brought it back after it had left (a readmission).
The tree's edges are first admissions: a member's **parent** is the member whose
representative proposed it the first time (``coopted_by``), so the tree follows time and has
no cycle; founders (and members imported by the host) are its roots. Readmissions are kept
as edges of their own (``readmission``), drawn dashed in the DOT text and written beside the
member in the picture.

Three forms: ``as_json`` (nodes and edges), ``as_dot`` (Graphviz text, written here: no
Graphviz needed) and a picture (``TreePicture.draw``, in ``tree_picture``: Pillow is imported
only when a tree is drawn).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage.outbox_files import File
from storage.repository import Repository

from .context import Context
from .errors import CommandError
from .render import When, text
from .timefmt import end_of_day

# Beyond this many members the picture would be tens of megapixels (1,000: 7600 x 4100 px,
# 1.6 s, 200 MB at its peak; bench/tree_picture.py): the reply says to use
# ``coopbot export --what tree --format dot`` (or json) instead.
MAX_DRAWN = 1000
# And beyond this many pixels, whatever the count: a deep line of members (each coopted by
# the one before) widens the outline by its indentation and lengthens every column by the
# ancestors it repeats, so 1,000 members in a line would be 34,000 x 26,000 pixels (gigabytes
# for one ``!tree``). The bench's 1,000 members are 31 million; the picture is laid out
# first (``tree_picture.layout``, no pixel allocated) and refused past this.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Admission:
    at: datetime | None
    coopted_by: str | None     # the member whose representative proposed it
    proposal: str | None       # "C-3"
    readmission: bool


@dataclass(frozen=True)
class Node:
    slug: str
    name: str
    status: str                # active | suspended | left
    admissions: tuple[Admission, ...]
    parent: str | None         # None: a root (a founder, or imported by the host)

    @property
    def founder(self) -> bool:
        return self.parent is None

    @property
    def admitted_at(self) -> datetime | None:
        return self.admissions[0].at if self.admissions else None


@dataclass(frozen=True)
class Tree:
    group: str
    name: str
    nodes: dict[str, Node]
    children: dict[str | None, list[str]] = field(default_factory=dict)  # None: the roots

    def rows(self) -> list[tuple[Node, int]]:
        """Every member once, each under its parent, with its depth: roots by admission,
        children by admission (iterative: a long chain needs no deep recursion)."""
        out: list[tuple[Node, int]] = []
        stack = [(slug, 0) for slug in reversed(self.children.get(None, []))]
        while stack:
            slug, depth = stack.pop()
            out.append((self.nodes[slug], depth))
            stack.extend((child, depth + 1) for child in reversed(self.children.get(slug, [])))
        return out

    @property
    def founders(self) -> int:
        return sum(1 for node in self.nodes.values() if node.founder)


def build(repo: Repository, group: str, name: str) -> Tree:
    """The group's tree, from its members and their periods (two reads)."""
    periods: dict[str, list] = defaultdict(list)
    for period in repo.group_periods(group):
        periods[period.member].append(period)
    nodes: dict[str, Node] = {}
    members = repo.members(group)
    for member in members:
        history = periods.get(member.slug, [])
        if history:
            admissions = [_admission(history[0], False)] + [
                _admission(p, True) for p in history[1:] if p.proposal and p.status == "active"]
        else:  # no period (never expected): the member row says what it knows
            admissions = [Admission(member.admitted_at, member.coopted_by,
                                    _ref(member.proposal), False)]
        nodes[member.slug] = Node(member.slug, member.name, member.status,
                                  tuple(admissions), None)
    for slug, node in list(nodes.items()):
        parent = node.admissions[0].coopted_by
        if parent in nodes and parent != slug and not _descends(nodes, parent, slug):
            nodes[slug] = Node(node.slug, node.name, node.status, node.admissions, parent)
    children: dict[str | None, list[str]] = defaultdict(list)
    order = sorted(nodes.values(), key=lambda n: (_sort_time(n.admitted_at), n.name.casefold(),
                                                  n.slug))
    for node in order:
        children[node.parent].append(node.slug)
    return Tree(group, name, nodes, dict(children))


def _admission(period, readmission: bool) -> Admission:
    return Admission(period.start_at, period.coopted_by, _ref(period.proposal), readmission)


def _ref(key: str | None) -> str | None:
    return key.rsplit(":", 1)[-1] if key else None


def _sort_time(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _descends(nodes: dict[str, Node], slug: str, ancestor: str) -> bool:
    """Whether ``slug`` already has ``ancestor`` above it (a parent link would close a loop:
    never from real histories, whose first admissions follow time, but no row may hang the
    drawing)."""
    seen: set[str] = set()
    current: str | None = slug
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = nodes[current].parent if current in nodes else None
    return False


# --- JSON and DOT ------------------------------------------------------------------------------

def as_json(trees: list[Tree]) -> dict[str, list[dict[str, Any]]]:
    """Nodes (members) and edges (admissions by cooptation), instants as ``datetime``."""
    nodes, edges = [], []
    for tree in trees:
        for node, depth in tree.rows():
            first = node.admissions[0] if node.admissions else None
            nodes.append({
                "group": tree.group, "slug": node.slug, "name": node.name,
                "status": node.status, "founder": node.founder, "depth": depth,
                "parent": node.parent, "admitted_at": node.admitted_at,
                "proposal": first.proposal if first else None,
                "admissions": [{"at": a.at, "coopted_by": a.coopted_by,
                                "proposal": a.proposal, "readmission": a.readmission}
                               for a in node.admissions],
            })
            for admission in node.admissions:
                if admission.coopted_by:
                    edges.append({"group": tree.group, "from": admission.coopted_by,
                                  "to": node.slug, "at": admission.at,
                                  "proposal": admission.proposal,
                                  "readmission": admission.readmission})
    return {"nodes": nodes, "edges": edges}


def as_dot(trees: list[Tree], zones: dict[str, ZoneInfo], langs: dict[str, str]) -> str:
    """Graphviz text: one cluster per group, founders with a double border, members no longer
    active in grey, each edge labelled with its admission day (the group's calendar) and
    proposal; a readmission's edge dashed."""
    lines = ["digraph cooptation {", "  rankdir=LR;",
             '  node [shape=box, style=rounded, fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for tree in trees:
        zone, lang = zones[tree.group], langs[tree.group]
        lines.append(f"  subgraph {_quote('cluster_' + tree.group)} {{")
        lines.append(f"    label={_quote(tree.name)};")
        for node, _ in tree.rows():
            attributes = [f"label={_quote(_dot_label(node, lang))}"]
            if node.founder:
                attributes.append("peripheries=2")
            if node.status != "active":
                attributes += ["color=gray50", "fontcolor=gray50"]
            lines.append(f"    {_quote(tree.group + '/' + node.slug)} [{', '.join(attributes)}];")
        for node, _ in tree.rows():
            for admission in node.admissions:
                if not admission.coopted_by or admission.coopted_by not in tree.nodes:
                    continue
                label = " ".join(filter(None, (_day(admission.at, zone), admission.proposal)))
                style = ", style=dashed" if admission.readmission else ""
                lines.append(f"    {_quote(tree.group + '/' + admission.coopted_by)} -> "
                             f"{_quote(tree.group + '/' + node.slug)} "
                             f"[label={_quote(label)}{style}];")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_label(node: Node, lang: str) -> str:
    if node.status == "active":
        return node.name
    return f"{node.name}\n({text(lang, f'member.{node.status}')})"


def _quote(value: str) -> str:
    """A DOT double-quoted string: quotes and backslashes escaped, a line break as ``\\n``."""
    cleaned = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + cleaned.replace("\n", "\\n") + '"'


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat() if moment else ""


# --- the picture and the command --------------------------------------------------------------

@dataclass(frozen=True)
class TreePicture:
    """A tree to draw in its reader's language, when the reply is written (``Effects``)."""

    tree: Tree
    zone: ZoneInfo
    day: date

    def draw(self, lang: str) -> File:
        from .tree_picture import draw  # Pillow: loaded only when a tree is drawn

        png, width, height = draw(self.tree, lang, self.zone, self.day)
        return File(f"coopbot-tree-{self.tree.group}-{self.day.isoformat()}.png", "image/png",
                    png, width, height)


def show(ctx: Context, args: dict[str, Any]) -> None:
    """!tree: the picture of who coopted whom, with a caption."""
    group = ctx.group
    tree = build(ctx.repo, group.slug, group.name)
    if not tree.nodes:
        ctx.out.reply("tree.empty", group=group.name)
        return
    if len(tree.nodes) > MAX_DRAWN:
        raise CommandError("err.tree_too_big", count=len(tree.nodes), max=MAX_DRAWN)
    today = ctx.now.astimezone(group.zone).date()
    from .tree_picture import layout  # Pillow's fonts: loaded only when a tree is drawn

    width, height = layout(tree, ctx.lang, group.zone, today)
    if width * height > MAX_PIXELS:
        raise CommandError("err.tree_too_large", count=len(tree.nodes), width=width,
                           height=height, max=MAX_PIXELS // 1_000_000)
    ctx.out.reply_picture(TreePicture(tree, group.zone, today), "tree.caption",
                          group=group.name, count=len(tree.nodes), founders=tree.founders,
                          day=When(end_of_day(today, group.zone), group.zone))
