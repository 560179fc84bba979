"""Compare a new CircleCI OpenAPI document with the project's copy, so an update is a reviewed diff.

Usage: python spec/compare.py NEW.json [OLD.json]   (OLD defaults to spec/circleci-openapi-v2.json)

Prints the operations added and removed, the operations whose method, path, parameters, request
body or answers changed (also through a component schema they use), and the component schemas
added, removed or changed. Exit status: 0 when the two documents declare the same API, 1 when
they differ, 2 when a file cannot be read as an OpenAPI document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

OURS = Path(__file__).resolve().parent / "circleci-openapi-v2.json"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_PROSE = frozenset(
    {"description", "summary", "example", "examples", "x-codeSamples", "externalDocs"}
)
_REF = "#/components/schemas/"


class SpecError(Exception):
    """A file that is not a readable OpenAPI document."""


def load(path: Path) -> dict[str, Any]:
    """The document at `path`, checked to have `paths` and `components.schemas`."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SpecError(f"{path}: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecError(f"{path}: no 'paths' object; not an OpenAPI document")
    return document


def _contract(value: Any) -> Any:
    """`value` without the prose keys that do not change what is sent or received."""
    if isinstance(value, dict):
        return {k: _contract(v) for k, v in value.items() if k not in _PROSE}
    if isinstance(value, list):
        return [_contract(item) for item in value]
    return value


def operations(document: Mapping[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Each operation by its id: (METHOD, path, its contract with the path's parameters)."""
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and "operationId" in operation:
                contract = _contract(operation)
                contract["parameters"] = _contract(shared) + contract.get("parameters", [])
                found[operation["operationId"]] = (method.upper(), path, contract)
    return found


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            yield ref[len(_REF) :]
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _reach(value: Any, schemas: Mapping[str, Any]) -> set[str]:
    """Every component schema `value` uses, directly or through other schemas."""
    seen: set[str] = set()
    todo = list(_refs(value))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(schemas.get(name, {})))
    return seen


def _parts(contract: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "parameters": contract.get("parameters", []),
        "request body": contract.get("requestBody"),
        "answers": contract.get("responses"),
        "security": contract.get("security"),
    }


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The differences between two documents, one line each (empty when they match)."""
    before, after = operations(old), operations(new)
    old_schemas = _contract(old.get("components", {}).get("schemas", {}))
    new_schemas = _contract(new.get("components", {}).get("schemas", {}))
    changed_schemas = {
        name
        for name in old_schemas.keys() & new_schemas.keys()
        if old_schemas[name] != new_schemas[name]
    }
    added, removed = sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys())
    lines = [f"+ operation {op} ({after[op][0]} {after[op][1]})" for op in added]
    lines += [f"- operation {op} ({before[op][0]} {before[op][1]})" for op in removed]
    for op in sorted(before.keys() & after.keys()):
        (m1, p1, c1), (m2, p2, c2) = before[op], after[op]
        if (m1, p1) != (m2, p2):
            lines.append(f"~ operation {op}: {m1} {p1} -> {m2} {p2}")
        parts1, parts2 = _parts(c1), _parts(c2)
        for part in parts1:
            if parts1[part] != parts2[part]:
                lines.append(f"~ operation {op}: its {part} changed")
        through = sorted(_reach(c2, new_schemas) & changed_schemas)
        if through:
            lines.append(f"~ operation {op}: through schema {', '.join(through)}")
    lines += [f"+ schema {name}" for name in sorted(new_schemas.keys() - old_schemas.keys())]
    lines += [f"- schema {name}" for name in sorted(old_schemas.keys() - new_schemas.keys())]
    lines += [f"~ schema {name}" for name in sorted(changed_schemas)]
    return lines


def main(argv: Sequence[str]) -> int:
    """Run the comparison for the command line `argv`; the exit status."""
    if not 1 <= len(argv) <= 2 or argv[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        new = load(Path(argv[0]))
        old = load(Path(argv[1]) if len(argv) == 2 else OURS)
    except SpecError as error:
        print(f"compare: {error}", file=sys.stderr)
        return 2
    lines = compare(old, new)
    print("\n".join(lines) if lines else "the same API: no operation or schema changed")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
