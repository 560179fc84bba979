"""The package's public names are pinned, load on first use, and cover the README's errors."""

from __future__ import annotations

import builtins
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import circleci_async

ROOT = Path(__file__).resolve().parent.parent

EXPORTED = {
    "OPERATIONS",
    "APIDeprecationWarning",
    "APIError",
    "ArtifactError",
    "ArtifactRef",
    "AuthScheme",
    "AuthenticationError",
    "BadRequestError",
    "CircleCI",
    "CircleCIError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "DownloadReport",
    "FileResult",
    "InvalidArgumentError",
    "NotFoundError",
    "Page",
    "PaginationError",
    "Paginator",
    "PermissionDeniedError",
    "PipelineOutcome",
    "RateLimitError",
    "Response",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SchemaDriftWarning",
    "ServerError",
    "TransportError",
    "WaitPolicy",
    "WaitTimeoutError",
    "__version__",
    "webhooks",
}


PUBLIC_MODULES = (
    "circleci_async",
    "circleci_async.webhooks",
    "circleci_async.artifacts",
    "circleci_async.integrations.fsspec",
)
"""Where the README's errors may live: the package, and the subpackages of its extras."""


def test_the_exported_names_are_exactly_the_pinned_ones() -> None:
    assert set(circleci_async.__all__) == EXPORTED
    assert len(circleci_async.__all__) == len(EXPORTED)


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(circleci_async, name) is not None
    assert name in dir(circleci_async)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        circleci_async.no_such_name  # noqa: B018


def test_every_error_the_readme_names_is_importable_from_the_package() -> None:
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"`([A-Z]\w+(?:Error|Warning))`", readme)) - set(dir(builtins))
    assert "ResponseTooLargeError" in named
    homes = [importlib.import_module(name) for name in PUBLIC_MODULES]
    missing = {name for name in named if not any(hasattr(home, name) for home in homes)}
    assert not missing, f"README names errors the package does not export: {sorted(missing)}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("statement", "absent"),
    [
        ("import circleci_async", ("aiohttp", "circleci_async.webhooks", "circleci_async.client")),
        (
            "import circleci_async._pytest_plugin",
            ("aiohttp", "circleci_async.testing", "circleci_async.client"),
        ),
        ("from circleci_async import CircleCI", ("circleci_async.testing", "aiohttp.web")),
    ],
)
def test_an_import_loads_only_what_it_needs(statement: str, absent: tuple[str, ...]) -> None:
    script = f"import sys; {statement}; print(sorted(set(sys.modules) & set({list(absent)!r})))"
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "[]", f"{statement} loaded {shown.strip()}"
