"""`spec/compare.py`: what a spec update changes, as a reviewed diff."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "spec" / "compare.py"
OURS = json.loads((ROOT / "spec" / "circleci-openapi-v2.json").read_text())


def compare(tmp_path: Path, new: Any) -> tuple[int, list[str]]:
    path = tmp_path / "new.json"
    path.write_text(json.dumps(new) if not isinstance(new, str) else new)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60
    )
    return done.returncode, (done.stdout + done.stderr).splitlines()


def test_our_own_spec_declares_the_same_api(tmp_path: Path) -> None:
    assert compare(tmp_path, OURS) == (0, ["the same API: no operation or schema changed"])


def test_prose_changes_are_not_api_changes(tmp_path: Path) -> None:
    new = copy.deepcopy(OURS)
    new["paths"]["/me"]["get"]["description"] = "Who you are."
    new["components"]["schemas"]["Decision"]["description"] = "changed words"
    assert compare(tmp_path, new)[0] == 0


def test_added_removed_and_changed_operations_and_schemas_are_listed(tmp_path: Path) -> None:
    new = copy.deepcopy(OURS)
    new["paths"]["/me/twin"] = {"get": {**new["paths"]["/me"]["get"], "operationId": "getTwin"}}
    del new["paths"]["/me"]
    decision = new["components"]["schemas"]["Decision"]
    decision.setdefault("required", []).append("brand_new")
    decision["properties"]["brand_new"] = {"type": "string"}
    new["components"]["schemas"]["Unused"] = {"type": "object"}
    status, lines = compare(tmp_path, new)
    assert status == 1
    assert "+ operation getTwin (GET /me/twin)" in lines
    assert "- operation getCurrentUser (GET /me)" in lines
    assert "~ schema Decision" in lines
    assert "+ schema Unused" in lines
    assert "~ operation MakeDecision: through schema Decision" in lines
    assert not any(line.startswith("~ operation getCurrentUser") for line in lines)


def test_a_parameter_that_becomes_required_is_a_change(tmp_path: Path) -> None:
    new = copy.deepcopy(OURS)
    operation = new["paths"]["/project/{project-slug}/pipeline"]["get"]
    operation["parameters"].append({"name": "new-filter", "in": "query", "required": True})
    status, lines = compare(tmp_path, new)
    assert (status, lines) == (1, ["~ operation listPipelinesForProject: its parameters changed"])


@pytest.mark.parametrize("text", ["not json", "[]", '{"openapi": "3.0.3"}'])
def test_a_file_that_is_no_openapi_document_is_refused(tmp_path: Path, text: str) -> None:
    status, lines = compare(tmp_path, text)
    assert status == 2
    assert lines[0].startswith("compare: ")


def test_the_spec_copy_is_the_one_its_source_note_names() -> None:
    note = (ROOT / "spec" / "SOURCE.md").read_text()
    digest = hashlib.sha256((ROOT / "spec" / "circleci-openapi-v2.json").read_bytes()).hexdigest()
    assert f"`{digest}`" in note
