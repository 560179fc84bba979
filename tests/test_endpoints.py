"""`Endpoint` and path templates; the services declare endpoints without the I/O module."""

from __future__ import annotations

import ast
from pathlib import Path

from circleci_async import endpoints
from circleci_async.endpoints import Endpoint, template_pieces
from circleci_async.operations import ENDPOINTS

SERVICES_DIR = Path(endpoints.__file__).parent / "services"
SENDS = {"base.py", "raw.py"}
"""The service modules that call the session core (the shared base and the raw calls)."""


def test_a_template_splits_into_text_and_placeholders() -> None:
    assert template_pieces("/project/{project-slug}/job/{job-number}") == (
        "/project/",
        "project-slug",
        "/job/",
        "job-number",
        "",
    )
    assert template_pieces("/me") == ("/me",)
    endpoint = Endpoint("x", "GET", "/workflow/{id}/approve/{approval_request_id}")
    assert endpoint.placeholders == ("id", "approval_request_id")


def test_every_declared_endpoint_reads_back_its_placeholders() -> None:
    for endpoint in ENDPOINTS.values():
        rebuilt = "".join(
            piece if index % 2 == 0 else "{" + piece + "}"
            for index, piece in enumerate(template_pieces(endpoint.path))
        )
        assert rebuilt == endpoint.path


def test_services_declare_endpoints_without_importing_the_session() -> None:
    for module in sorted(SERVICES_DIR.glob("*.py")):
        if module.name in SENDS:
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        }
        assert "session" not in imported, f"{module.name} imports the session"


def test_a_path_value_that_changes_the_paths_shape_has_a_problem() -> None:
    from circleci_async.endpoints import path_value_problem

    for fine in ("abc-123", "a%2Fb", "%2E%2E%2F", "x..y", "...", "é"):
        assert path_value_problem("id", fine) is None, fine
    for bad in ("", ".", "..", "%2e", "%2E%2e", "a/b", "a?b", "a#b", "a b", "a\nb", "a%zz", "a\\b"):
        assert path_value_problem("id", bad) is not None, bad
    assert path_value_problem("project-slug", "gh/acme/app") is None
    for bad in ("gh/acme/..", "gh//app", "gh/acme/%2e%2E", "gh/acme/app?x", "gh/acme/"):
        assert path_value_problem("project-slug", bad) is not None, bad
