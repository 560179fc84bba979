"""The argument checks: pure functions, no server, no event loop."""

from __future__ import annotations

import pytest

from circleci_async import InvalidArgumentError, checks
from circleci_async.checks import format_job_number, format_path_id, validate_project_slug


@pytest.mark.parametrize(
    "slug",
    [
        "gh/CircleCI-Public/api-preview-docs",
        "github/org/repo.name",
        "bb/team/repo_1",
        "bitbucket/a/b",
        "circleci/3ab2f0a4-1c9f-4d8e-9d7a-1f2e3d4c5b6a/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        "circleci/43G3lM5RtfFE7v5sa4nWAU/44n9wujWcTnVZ2b5S8Fnat",
    ],
)
def test_valid_slugs_pass(slug: str) -> None:
    assert validate_project_slug(slug) == slug


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("gh/org", "three parts"),
        ("gh/org/repo/extra", "three parts"),
        ("gh//repo", "three parts"),
        ("gitlab/org/repo", "vcs part"),
        ("circleci/org.x/repo", "organization id and a project id"),
        ("gh/org/re po", "letters, digits"),
        ("gh/org/rep?o", "letters, digits"),
        (42, "must be a string"),
        (["gh", "o", "r"], "must be a string"),
    ],
)
def test_malformed_slugs_are_refused(slug: object, reason: str) -> None:
    with pytest.raises(InvalidArgumentError, match=reason):
        validate_project_slug(slug)


@pytest.mark.parametrize(("value", "expected"), [(7, "7"), ("12", "12"), (0, "0")])
def test_job_numbers(value: object, expected: str) -> None:
    assert format_job_number(value) == expected


@pytest.mark.parametrize("value", ["12a", "", "-1", -1, 1.5, True, None, "١٢"])
def test_bad_job_numbers(value: object) -> None:
    with pytest.raises(InvalidArgumentError, match="job_number"):
        format_job_number(value)


def test_path_ids_are_escaped_and_checked() -> None:
    assert format_path_id("a/b c", name="id") == "a%2Fb%20c"
    with pytest.raises(InvalidArgumentError, match="workflow_id must not be empty"):
        format_path_id(" ", name="workflow_id")
    with pytest.raises(InvalidArgumentError, match="must be a string, not int"):
        format_path_id(5, name="workflow_id")


@pytest.mark.parametrize("value", ["gh/org", "circleci/org-1", "bitbucket/a.b_c"])
def test_org_slugs_pass(value: str) -> None:
    assert checks.org_slug(value, "org_slug") == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("gh/org/repo", "two parts"),
        ("gitlab/org", "vcs part"),
        ("gh/o rg", "letters, digits"),
        (7, "org_slug must be a string"),
    ],
)
def test_malformed_org_slugs_are_refused(value: object, reason: str) -> None:
    with pytest.raises(InvalidArgumentError, match=reason):
        checks.org_slug(value, "org_slug")


def test_an_org_slug_and_a_project_slug_share_the_part_rule() -> None:
    for part in ("a.b", "a_b", "a-b", "A9"):
        assert validate_project_slug(f"gh/{part}/{part}")
        assert checks.org_slug(f"gh/{part}", "org_slug")
    for part in ("a b", "a?b", "a%2Fb"):
        with pytest.raises(InvalidArgumentError):
            validate_project_slug(f"gh/{part}/repo")
        with pytest.raises(InvalidArgumentError):
            checks.org_slug(f"gh/{part}", "org_slug")


def test_not_both_names_the_two_arguments() -> None:
    checks.not_both("branch", "main", "tag", None)
    checks.not_both("branch", None, "tag", None)
    with pytest.raises(InvalidArgumentError, match="pass branch or tag, not both"):
        checks.not_both("branch", "main", "tag", "v1")
