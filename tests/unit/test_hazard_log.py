"""The clinical safety case stays honest: every hazard is verified by tests that exist.

docs/clinical/hazard-log.md lists, for each hazard (``## H<n>. ...``), its controls
(``**C<n>.<m> ...**``) and under each a "Verified by:" list of pytest node ids, one per line
(``- tests/path/test_file.py::test_name``, ``Class::test_name`` and parametrised ``[...]`` ids
allowed). A control still being built says ``Verified by: TODO(<what>)``.

Also checks that every rule of the engine cites a section of docs/clinical that exists, and
that the links between the clinical documents resolve.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "clinical"
HAZARD_LOG = DOCS / "hazard-log.md"
CITATION_PREFIX = "docs/clinical/"

HAZARD_HEADING = re.compile(r"^## (H\d+)\.\s+(.+?)\s*$")
CONTROL_START = re.compile(r"^\*\*(C\d+\.\d+)\b")
VERIFIED_BY = re.compile(r"^Verified by:\s*(.*)$")
LIST_ITEM = re.compile(r"^\s*[-*]\s+(.+?)\s*$")
TODO = re.compile(r"\bTODO\b")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")

# The hazards issue 13 names; each must have its own entry (matched on the title, lower case).
REQUIRED_HAZARDS = (
    "fracture",
    "tendon rupture",
    "infection",
    "neurovascular",
    "delayed",
    "wrong patient",
    "de-escalation",
    "overridden",
    "lost submission",
    "wrong person",
)


@dataclass
class Control:
    id: str
    verified_by: list[str] = field(default_factory=list)
    has_verified_by: bool = False


@dataclass
class Hazard:
    id: str
    title: str
    controls: list[Control] = field(default_factory=list)

    @property
    def entries(self) -> list[str]:
        return [entry for control in self.controls for entry in control.verified_by]

    @property
    def test_ids(self) -> list[str]:
        return [entry for entry in self.entries if not TODO.search(entry)]


def _clean(entry: str) -> str:
    return entry.strip().strip("`").strip()


def parse_hazard_log(text: str) -> list[Hazard]:
    hazards: list[Hazard] = []
    control: Control | None = None
    in_hazard = in_list = False
    for line in text.splitlines():
        if m := HAZARD_HEADING.match(line):
            hazards.append(Hazard(m.group(1), m.group(2)))
            control, in_hazard, in_list = None, True, False
            continue
        if line.startswith("## "):  # a section that is not a hazard (scope, method, summary)
            control, in_hazard, in_list = None, False, False
            continue
        if not in_hazard:
            continue
        if m := CONTROL_START.match(line):
            control = Control(m.group(1))
            hazards[-1].controls.append(control)
            in_list = False
            continue
        if m := VERIFIED_BY.match(line):
            if control is None:  # a Verified by list outside a control: count it on its own
                control = Control(f"{hazards[-1].id}.?")
                hazards[-1].controls.append(control)
            control.has_verified_by = True
            inline = _clean(m.group(1))
            if inline:
                control.verified_by.append(inline)
            in_list = True
            continue
        if in_list:
            if m := LIST_ITEM.match(line):
                control.verified_by.append(_clean(m.group(1)))
            elif line.strip():
                in_list = False
    return hazards


@cache
def hazards() -> tuple[Hazard, ...]:
    return tuple(parse_hazard_log(HAZARD_LOG.read_text(encoding="utf-8")))


@cache
def _defined_names(path: Path) -> frozenset[str]:
    """Module-level functions as ``name`` and methods as ``Class::name`` (nested classes too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()

    def visit(body, prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(prefix + node.name)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}::")

    visit(tree.body, "")
    return frozenset(names)


def test_id_problem(node_id: str) -> str | None:
    """Why a pytest node id does not name a test in this repository, or None if it does."""
    path_part, sep, name = node_id.partition("::")
    if not sep or not name:
        return f"{node_id!r} is not a pytest node id (path::test_name)"
    path = ROOT / path_part
    if not path_part.startswith("tests/") or path.suffix != ".py" or not path.is_file():
        return f"{node_id!r}: no test file {path_part}"
    name = re.sub(r"\[.*\]$", "", name)  # a parametrised id names the same function
    if not name.split("::")[-1].startswith("test"):
        return f"{node_id!r}: {name} is not a test function"
    if name not in _defined_names(path):
        return f"{node_id!r}: {path_part} defines no {name}"
    return None


test_id_problem.__test__ = False  # a helper, not a test, despite its name


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)  # inline code keeps its text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    found: set[str] = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if m := HEADING.match(line):
            slug = github_slug(m.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def docs_reference_problem(reference: str) -> str | None:
    """Why ``docs/clinical/<file>.md#anchor`` does not resolve, or None if it does."""
    path_part, sep, anchor = reference.partition("#")
    path = ROOT / path_part
    if not path_part.startswith(CITATION_PREFIX) or not path.is_file():
        return f"{reference!r}: no file {path_part}"
    if not sep or not anchor:
        return f"{reference!r}: cite a section (file.md#anchor), not the whole file"
    if anchor not in anchors(path):
        return f"{reference!r}: {path_part} has no heading with the anchor #{anchor}"
    return None


# --- the parser and the slugs, on their own ---------------------------------------------


def test_github_slugs_drop_punctuation_and_join_words_with_hyphens():
    assert github_slug("Septic arthritis and cellulitis") == "septic-arthritis-and-cellulitis"
    assert github_slug("Night pain, tumour and infection") == "night-pain-tumour-and-infection"
    assert github_slug("X-ray negative but pain persists") == "x-ray-negative-but-pain-persists"
    assert github_slug("H1. Missed or delayed fracture") == "h1-missed-or-delayed-fracture"
    assert github_slug("Bernese ankle rules (not used)") == "bernese-ankle-rules-not-used"
    assert github_slug("The `safety` floor") == "the-safety-floor"


def test_the_parser_reads_controls_lists_inline_todos_and_stops_at_prose():
    text = """## Method
Verified by:
- tests/ignored.py::test_x
## H1. Missed thing
**C1.1 Control.**

Verified by:
- tests/unit/test_a.py::test_one
- `tests/unit/test_a.py::Klass::test_two[p1]`

**Residual risk.** Low.
- not a test id
**C1.2 Another.**
Verified by: TODO(being built)
## H2. Other
**C2.1 Nothing listed.**
## Appendix
**C9.9 Not a hazard's control.**
Verified by:
- tests/ignored.py::test_y
"""
    [h1, h2] = parse_hazard_log(text)  # the appendix is not a hazard
    assert [c.id for c in h1.controls] == ["C1.1", "C1.2"]
    assert h1.entries == [
        "tests/unit/test_a.py::test_one",
        "tests/unit/test_a.py::Klass::test_two[p1]",
        "TODO(being built)",
    ]
    assert h1.test_ids == h1.entries[:2]
    assert h2.controls[0].has_verified_by is False and h2.test_ids == []


def test_node_ids_are_checked_against_the_functions_the_file_defines():
    here = "tests/unit/test_hazard_log.py"
    assert test_id_problem(f"{here}::test_every_listed_test_exists") is None
    assert test_id_problem(f"{here}::test_every_listed_test_exists[x-y]") is None
    assert "defines no" in test_id_problem(f"{here}::test_that_was_never_written")
    assert "no test file" in test_id_problem("tests/unit/nowhere.py::test_x")
    assert "not a pytest node id" in test_id_problem(here)


# --- the hazard log ---------------------------------------------------------------------


def test_the_hazard_log_covers_each_hazard_the_issue_names_and_each_has_controls():
    titles = [hazard.title.lower() for hazard in hazards()]
    missing = [word for word in REQUIRED_HAZARDS if not any(word in t for t in titles)]
    assert not missing, f"hazard-log.md has no hazard about: {missing}"
    assert len({hazard.id for hazard in hazards()}) == len(hazards()), "duplicate hazard ids"
    without = [hazard.id for hazard in hazards() if not hazard.controls]
    assert not without, f"hazards without controls: {without}"
    unverified = [
        c.id for h in hazards() for c in h.controls if not c.has_verified_by or not c.verified_by
    ]
    assert not unverified, f"controls without a Verified by list: {unverified}"


def test_every_hazard_lists_at_least_one_test():
    untested = [f"{hazard.id} {hazard.title}" for hazard in hazards() if not hazard.test_ids]
    assert not untested, f"hazards verified by no test: {untested}"


def test_every_listed_test_exists():
    problems = [
        f"{hazard.id}: {problem}"
        for hazard in hazards()
        for node_id in hazard.test_ids
        if (problem := test_id_problem(node_id))
    ]
    assert not problems, "\n".join(problems)


def test_no_control_is_still_waiting_for_its_test():
    todos = [
        f"{hazard.id} {control.id}: {entry}"
        for hazard in hazards()
        for control in hazard.controls
        for entry in control.verified_by
        if TODO.search(entry)
    ]
    assert not todos, "controls still marked TODO in hazard-log.md:\n" + "\n".join(todos)


# --- citations and links ----------------------------------------------------------------


def test_every_rule_cites_a_clinical_doc_section_that_exists():
    from services.triage.engine.rules import ALL_RULES

    problems = []
    for rule in ALL_RULES:
        cited = [c.source for c in rule.sources if c.source.startswith(CITATION_PREFIX)]
        if not cited:
            problems.append(f"{rule.id}: cites nothing under {CITATION_PREFIX}")
            continue
        bad = [problem for source in cited if (problem := docs_reference_problem(source))]
        problems.extend(f"{rule.id}: {problem}" for problem in bad)
    assert not problems, "\n".join(problems)


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
DOCS_PATH = re.compile(r"`(docs/clinical/[^`#\s]+\.md#[^`\s]+)`")


@pytest.mark.parametrize("doc", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_links_between_the_clinical_documents_resolve(doc):
    text = doc.read_text(encoding="utf-8")
    problems = []
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an external link
        path_part, _, anchor = target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc
        if not path.is_file():
            problems.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            problems.append(f"{target}: no heading with that anchor")
    for reference in DOCS_PATH.findall(text):
        if problem := docs_reference_problem(reference):
            problems.append(problem)
    assert not problems, f"{doc.name}:\n" + "\n".join(problems)
