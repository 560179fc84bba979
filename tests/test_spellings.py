"""Keys CircleCI spells the other way (snake_case for kebab-case and back): read, kept, reported."""

from __future__ import annotations

import json
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiohttp import web

from circleci_async import CircleCI
from circleci_async.errors import DecodeError, SchemaDriftWarning
from circleci_async.models import CheckoutKey, FlakyTests, Pipeline
from circleci_async.models.decoding import decode, fast_reader, other_spelling
from circleci_async.models.spec_fixes import ENUM_VALUES_SEEN, OTHER_SPELLINGS

from .scripted import scripted_server

SAMPLES = Path(__file__).with_name("samples")
SLUG = "gh/acme/app"
KEY: dict[str, Any] = {
    "public_key": "ssh-rsa AAAA",
    "type": "deploy-key",
    "fingerprint": "c9:0b:1c:4f:d5:65:56:b9:ad:88:f9:81:2b:37:74:2f",
    "preferred": True,
    "created_at": "2023-02-10T04:49:36.117Z",
}
"""A checkout key as the live API sends it (kelvintaywl/circleci-go-sdk, see spec_fixes)."""


def answering(body: Any) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(body)

    return handler


def drift_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, SchemaDriftWarning)]


async def test_a_checkout_key_in_snake_case_keeps_its_key_and_date_even_in_strict_mode() -> None:
    page = {"items": [KEY], "next_page_token": None}
    async with scripted_server(answering(page)) as url, CircleCI("t", base_url=url) as circle:
        assert circle.core.drift.strict
        [key] = await circle.projects.checkout_keys(SLUG).collect()
    assert key.public_key == "ssh-rsa AAAA"
    assert key.created_at == datetime(2023, 2, 10, 4, 49, 36, 117000, tzinfo=UTC)


@pytest.mark.lenient
async def test_a_spelling_not_seen_before_is_kept_and_named_in_the_warning() -> None:
    body = {"id": "p1", "number": 3, "project-slug": SLUG, "state": "created"}
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pipeline = await circle.pipelines.get("5034460f-c7c4-4c43-9457-de07e2029e7b")
    assert pipeline.project_slug == SLUG
    assert (
        "getPipelineById: body.project_slug: the spec says the key 'project_slug', the answer "
        "has it spelled 'project-slug'" in drift_messages(caught)
    )


@pytest.mark.lenient
async def test_flaky_tests_and_collaborations_in_snake_case_keep_their_values() -> None:
    flaky = {
        "flaky_tests": [{"test_name": "t1", "job_number": 547148, "times_flaked": 10}],
        "total_flaky_tests": 1,
    }
    collaborations = [{"vcs_type": "github", "name": "org1", "avatar_url": "https://a"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaDriftWarning)
        async with scripted_server(answering(flaky)) as url, CircleCI("t", base_url=url) as c:
            tests = await c.insights.flaky_tests(SLUG)
        async with (
            scripted_server(answering(collaborations)) as url,
            CircleCI("t", base_url=url) as c,
        ):
            [org] = await c.users.collaborations()
    assert tests.total_flaky_tests == 1
    assert [(t.test_name, t.job_number, t.times_flaked) for t in tests.flaky_tests] == [
        ("t1", 547148, 10)
    ]
    assert org.vcs_type == "github"


def test_a_snake_case_key_sent_in_kebab_case_is_read_too() -> None:
    found: list[Any] = []
    pipeline = decode(
        {"id": "p1", "number": 3, "created-at": "2024-01-02T03:04:05Z", "state": "created"},
        Pipeline,
        "getPipelineById",
        report=lambda _, deviations: found.extend(deviations),
    )
    assert pipeline.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert [d.describe("getPipelineById") for d in found if d.path == "body.created_at"] == [
        "getPipelineById: body.created_at: the spec says the key 'created_at', the answer has "
        "it spelled 'created-at'"
    ]


def test_two_spellings_with_different_values_keep_the_specs_and_say_so() -> None:
    found: list[Any] = []
    key = decode(
        {**KEY, "public-key": "ssh-ed25519 BBBB"},
        CheckoutKey,
        "getCheckoutKey",
        report=lambda _, deviations: found.extend(deviations),
    )
    assert key.public_key == "ssh-ed25519 BBBB"
    [conflict] = [d for d in found if d.path == "body.public-key"]
    assert conflict.describe("getCheckoutKey") == (
        "getCheckoutKey: body.public-key: the spec says the key 'public-key', the answer has "
        "both 'public-key' and 'public_key' with different values (the value of 'public-key' "
        "was kept)"
    )


def test_two_spellings_with_the_same_value_are_quiet() -> None:
    found: list[Any] = []
    both = {**KEY, "public-key": KEY["public_key"], "created-at": KEY["created_at"]}
    key = decode(both, CheckoutKey, "getCheckoutKey", report=lambda _, d: found.extend(d))
    assert key.public_key == "ssh-rsa AAAA"
    assert found == []


async def test_strict_mode_refuses_a_spelling_not_seen_before() -> None:
    body = {"id": "p1", "number": 3, "project-slug": SLUG}
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError, match="spelled 'project-slug'"):
            await circle.pipelines.get("5034460f-c7c4-4c43-9457-de07e2029e7b")


def test_the_fast_path_leaves_the_other_spelling_to_the_tolerant_reader() -> None:
    spec = {k.replace("_", "-"): v for k, v in KEY.items()}
    assert fast_reader(CheckoutKey)(spec).public_key == "ssh-rsa AAAA"
    with pytest.raises(Exception):  # noqa: B017, PT011 - the fast path's private signal
        fast_reader(CheckoutKey)(KEY)
    with pytest.raises(Exception):  # noqa: B017, PT011
        fast_reader(CheckoutKey)({**spec, "public_key": "other"})


@pytest.mark.parametrize(
    ("key", "other"),
    [("public-key", "public_key"), ("created_at", "created-at"), ("id", None), ("a-b_c", "a_b_c")],
)
def test_other_spelling(key: str, other: str | None) -> None:
    assert other_spelling(key) == other


@pytest.mark.parametrize("seen", OTHER_SPELLINGS, ids=lambda s: f"{s.model.__name__}.{s.field}")
def test_every_spelling_seen_on_the_wire_is_read_by_the_general_rule(seen: Any) -> None:
    field = attrs.fields_dict(seen.model)[seen.field]
    key = field.metadata.get("wire", field.name)
    assert other_spelling(key) == seen.spelling
    assert seen.source


def test_flaky_tests_as_pycircleci_recorded_them() -> None:
    sample = json.loads((SAMPLES / "getFlakyTests" / "pycircleci.json").read_text())
    tests = decode(sample, FlakyTests, "getFlakyTests", report=lambda *_: None)
    assert tests.total_flaky_tests == 2
    assert [t.test_name for t in tests.flaky_tests] == [
        "0.debug.8",
        "test_safe_copy_with_file_changes",
    ]


@pytest.mark.parametrize(
    "seen", ENUM_VALUES_SEEN, ids=lambda s: f"{type(s[0]).__name__}.{s[0].name}"
)
def test_enum_values_from_the_wire_decode_without_drift(seen: Any) -> None:
    member, source = seen
    found: list[Any] = []
    body = {"id": "p1", "number": 1, "trigger": {"type": member.value}}
    pipeline = decode(body, Pipeline, "getPipelineById", report=lambda _, d: found.extend(d))
    assert pipeline.trigger is not None
    assert pipeline.trigger.type is member
    assert not [d for d in found if d.path == "body.trigger.type"]
    assert source
