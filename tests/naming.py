"""The naming rules of docs/naming.md as functions, and its table of exceptions as data.

The exceptions live only in docs/naming.md (one table, a reason per row); `exceptions()` reads
them from there, so the documentation and the tests cannot disagree.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import attrs

NAMING_DOC = Path(__file__).resolve().parent.parent / "docs" / "naming.md"
KINDS = ("tag", "method", "parameter")
SLUG_PARTS = ("provider", "organization", "project")
SLUG_TRIPLE = "{provider}/{organization}/{project}"

VERB_PREFIXES: dict[str, tuple[str, ...]] = {
    "create": ("create",),
    "delete": ("delete",),
    "remove": ("delete",),
    "update": ("update",),
    "patch": ("update",),
    "set": ("update",),
}
"""First word of an operationId → the words its method may start with (other verbs: itself)."""
READS = ("get", "list")
WRITES = ("create", "delete", "update", "set")


@attrs.frozen
class NamingException:
    """One row of the exceptions table."""

    kind: str
    spec: str
    client: str
    reason: str


@cache
def exceptions() -> dict[tuple[str, str], NamingException]:
    """The rows of docs/naming.md's exceptions table, by (kind, spec name)."""
    text = NAMING_DOC.read_text(encoding="utf-8")
    section = text.split("## Exceptions", 1)[1]
    rows: dict[tuple[str, str], NamingException] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] in ("kind", "---"):
            continue
        kind, spec, client, reason = cells
        row = NamingException(kind, spec.strip("`"), client.strip("`"), reason)
        if kind not in KINDS or not reason:
            raise ValueError(f"docs/naming.md: bad exceptions row {line!r}")
        if (kind, row.spec) in rows:
            raise ValueError(f"docs/naming.md: {kind} {row.spec} is listed twice")
        rows[kind, row.spec] = row
    return rows


def words(camel: str) -> list[str]:
    """An operationId's words, lower case: `getJobArtifacts` → `get`, `job`, `artifacts`."""
    return [word.lower() for word in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", camel)]


def snake(name: str) -> str:
    """snake_case of a camelCase, kebab-case or spaced name: `orgID` → `org_id`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[-\s]+", "_", spaced).lower()


def service_name(tag: str) -> str:
    """The client attribute of a spec tag by the rule: its snake_case plural."""
    name = snake(tag)
    return name if name.endswith("s") else name + "s"


def python_name(spec_name: str, path: str = "", operation_id: str = "") -> str:
    """The argument name of a spec parameter (or body property) of `operation_id`."""
    row = exceptions().get(("parameter", f"{operation_id}:{spec_name}"))
    if row is not None:
        return row.client
    if spec_name == "id" and "{id}" in path:
        segments = path.split("/")
        return segments[segments.index("{id}") - 1] + "_id"
    if spec_name in SLUG_PARTS and SLUG_TRIPLE in path:
        return "project_slug"
    return snake(spec_name)


def method_follows_verb_rule(operation_id: str, method: str) -> bool:
    """Whether `method` is named as the operationId's first word says (docs/naming.md)."""
    verb = words(operation_id)[0]
    first = method.split("_")[0]
    if verb in READS:
        if method in READS or method.startswith("get_by_"):
            return True
        return first not in READS + WRITES
    allowed = VERB_PREFIXES.get(verb, (verb,))
    return first in allowed
