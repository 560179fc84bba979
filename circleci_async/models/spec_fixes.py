"""Every place where this library knowingly departs from CircleCI's OpenAPI spec, and why.

The spec (`spec/circleci-openapi-v2.json`) is the source of truth for what we send; for what
we receive, the wire is. Every field the spec requires is typed `X | None` with the default
`EXPECTED` (None, and a `SchemaDriftWarning` when an answer lacks it), except identity fields
(no default: an answer without them is a `DecodeError`) and the fields listed here, where
real answers are known to differ (None without a warning). Every key is also read under its
other spelling (kebab-case as snake_case and back, a general rule of the decoder); where real
answers are known to use it, `OTHER_SPELLINGS` keeps the evidence. Each departure is listed once,
with its evidence; the models and services are written to match, and the tests read this
module: `tests/test_models_spec.py` fails when a model departs from the spec without an entry
here, or when an entry no longer matches its model, and the schema-driven tests apply these
entries to the spec before they generate payloads from it.
"""

from __future__ import annotations

from enum import Enum

import attrs

from .insights import (
    FlakyTest,
    FlakyTests,
    InsightsBranches,
    ProjectPageSummary,
    WorkflowMetricsSummary,
    WorkflowTestRun,
)
from .jobs import JobDetails, JobProject, TestResult
from .organizations import UrlOrbAllowListEntry
from .pipelines import TriggerType
from .projects import CheckoutKey, EnvironmentVariable, Project
from .schedules import Schedule, Timetable
from .users import Collaboration
from .webhooks import Webhook
from .workflows import Job

__all__ = [
    "CLOSED_BRANCHES",
    "ENUM_VALUES_SEEN",
    "FIELD_FIXES",
    "IMPLIED_TYPES",
    "NULLABLE_MARKERS",
    "NUMBER_PATH_PARAMETERS",
    "OTHER_SPELLINGS",
    "UNDECLARED_PAGE_TOKEN",
    "FieldFix",
    "FixKind",
    "SpellingSeen",
    "field_fix",
]


class FixKind(Enum):
    """How a model field departs from its schema."""

    MAY_BE_NULL = "may be null"
    """The spec requires a non-null value; real answers send null. Optional, no drift."""
    MAY_BE_ABSENT = "may be absent"
    """The spec requires the field; real answers leave it out. Optional, no drift."""
    UNTYPED = "untyped"
    """The spec gives the value no type at all; the field keeps any JSON value."""


@attrs.frozen
class FieldFix:
    """One field of one model that departs from the spec."""

    model: type
    field: str
    """The Python name of the field."""
    kind: FixKind
    reason: str


_NOT_STARTED = (
    "the spec requires started_at, but a job that has not started (queued, blocked, on hold, "
    "an approval) has no start time and CircleCI sends null"
)
_UNTYPED_ID = (
    "the spec gives this id no type, so any JSON value is valid (CircleCI sends a UUID "
    "string); kept as it came"
)
_OLDER_PROJECT = (
    "the spec requires it, but older answers leave it out: the API guide's own example of "
    "getProject has only slug, name, organization_name and vcs_info, and CircleCI Server "
    "installs answer in that shape"
)

FIELD_FIXES: tuple[FieldFix, ...] = (
    FieldFix(Job, "started_at", FixKind.MAY_BE_NULL, _NOT_STARTED),
    FieldFix(JobDetails, "started_at", FixKind.MAY_BE_NULL, _NOT_STARTED),
    FieldFix(
        JobDetails,
        "status",
        FixKind.MAY_BE_NULL,
        'the API guide\'s example of getJobDetails answers `"status": null`',
    ),
    FieldFix(
        JobProject,
        "id",
        FixKind.MAY_BE_ABSENT,
        "the spec (2025) requires it, but the API guide's example of getJobDetails and older "
        "answers (CircleCI Server) give the job's project without an id",
    ),
    FieldFix(Project, "id", FixKind.MAY_BE_ABSENT, _OLDER_PROJECT),
    FieldFix(Project, "organization_slug", FixKind.MAY_BE_ABSENT, _OLDER_PROJECT),
    FieldFix(Project, "organization_id", FixKind.MAY_BE_ABSENT, _OLDER_PROJECT),
    FieldFix(
        TestResult,
        "file",
        FixKind.MAY_BE_NULL,
        "JUnit reports may leave out the file attribute; a test without one must not make "
        "the whole page fail to decode",
    ),
    FieldFix(
        EnvironmentVariable,
        "created_at",
        FixKind.UNTYPED,
        "the spec gives created-at no type (any JSON value is valid) and its example is EDN, "
        "not ISO 8601 ('#joda/inst 2023-04-14T21:20:14+0000'); kept as it came",
    ),
    FieldFix(ProjectPageSummary, "org_id", FixKind.UNTYPED, _UNTYPED_ID),
    FieldFix(ProjectPageSummary, "project_id", FixKind.UNTYPED, _UNTYPED_ID),
    FieldFix(InsightsBranches, "org_id", FixKind.UNTYPED, _UNTYPED_ID),
    FieldFix(InsightsBranches, "project_id", FixKind.UNTYPED, _UNTYPED_ID),
    FieldFix(WorkflowMetricsSummary, "project_id", FixKind.UNTYPED, _UNTYPED_ID),
    FieldFix(FlakyTest, "workflow_id", FixKind.UNTYPED, _UNTYPED_ID),
    FieldFix(WorkflowTestRun, "workflow_id", FixKind.UNTYPED, _UNTYPED_ID),
    FieldFix(
        UrlOrbAllowListEntry,
        "prefix",
        FixKind.UNTYPED,
        "the spec gives the URL prefix no type, so any JSON value is valid; kept as it came",
    ),
)
"""Model fields that depart from their schemas."""

_BY_FIELD = {(fix.model, fix.field): fix for fix in FIELD_FIXES}


def field_fix(model: type, field: str) -> FieldFix | None:
    """The departure recorded for `model.field`, or None when it follows the spec."""
    return _BY_FIELD.get((model, field))


NULLABLE_MARKERS: tuple[str, ...] = ("nullable", "x-nullable")
"""Schema keys that mean "may be null". The older schemas use the Swagger 2 extension
`x-nullable`, which OpenAPI 3 does not know; read literally, real responses would not fit."""

IMPLIED_TYPES: tuple[tuple[str, str], ...] = (("properties", "object"), ("items", "array"))
"""A schema without `type` that has `properties` is an object, and one with `items` an array
(e.g. the context restriction schemas, and `PolicyBundle`, whose values are arrays of
`Policy` but are declared with `items` alone)."""

CLOSED_BRANCHES = True
"""`additionalProperties: false` beside `oneOf`/`anyOf` on a schema without `properties`
(createContext's `owner`, the answer of addEnvironmentVariableToContext) closes each branch,
not the parent; read literally it would refuse every object."""

NUMBER_PATH_PARAMETERS: frozenset[str] = frozenset({"job-number", "pipeline-number"})
"""Path parameters whose schema is empty (`{}`); they are non-negative integers in practice,
checked with `checks.format_job_number`."""

UNDECLARED_PAGE_TOKEN: frozenset[str] = frozenset(
    {
        "getContextRestrictions",
        "getJobArtifacts",
        "getJobTimeseries",
        "getTests",
        "getWebhooks",
        "listCheckoutKeys",
        "listComponentVersions",
        "listEnvVars",
        "listWorkflowJobs",
    }
)
"""Operations whose answers carry `next_page_token` but whose spec declares no `page-token`
parameter. CircleCI documents `page-token` as the one way to page, so it is sent anyway."""


@attrs.frozen
class SpellingSeen:
    """A field that real answers send under the other spelling of the spec's key.

    The decoder reads every field under both spellings (`decoding.other_spelling`: kebab-case
    as snake_case and back), prefers the one present, and reports the spelling that came; this
    list is the evidence that the rule is needed, and a test checks that the rule covers it.
    """

    model: type
    field: str
    """The Python name of the field."""
    spelling: str
    """The key as the answers sent it."""
    source: str
    """Where the answer was recorded: repository, path and commit."""


_PYCIRCLECI = "alpinweis/pycircleci tests/mocks/{} @ 99138e832bdb36d80423276697ccbfc55df2a354"
_FLAKY = (
    _PYCIRCLECI.format("get_flaky_tests_response.json")
    + " (tests/samples/getFlakyTests/pycircleci.json); CircleCI-Public/mcp-server-circleci "
    "src/clients/schemas.ts @ 8787136b6c8bf72752ebcffad1520c2a847b5276 reads the same keys"
)
_GO_SDK = (
    "kelvintaywl/circleci-go-sdk openapi.yaml @ 302fb73a4043b28c7bf955c6121843539270f01b, "
    "the spec of the SDK behind kelvintaywl/terraform-provider-circleci, corrected against the "
    "live API"
)
_CHECKOUT = (
    _GO_SDK + " (commit ba160e5d9db81b27fd752d8d6081ded4d35e4db9: 'public_key not public-key; "
    "issue with CircleCI V2 API doc')"
)
_SCHEDULES = (
    "circleci/circleci-docs pull request #5869 (2021-10-30), the answer of "
    "GET /api/v2/project/github/circleci/circleci-docs/schedule as printed there "
    "(tests/samples/listSchedulesForProject/circleci-docs-5869.json)"
)

OTHER_SPELLINGS: tuple[SpellingSeen, ...] = (
    SpellingSeen(FlakyTests, "flaky_tests", "flaky_tests", _FLAKY),
    SpellingSeen(FlakyTests, "total_flaky_tests", "total_flaky_tests", _FLAKY),
    SpellingSeen(FlakyTest, "workflow_created_at", "workflow_created_at", _FLAKY),
    SpellingSeen(FlakyTest, "workflow_id", "workflow_id", _FLAKY),
    SpellingSeen(FlakyTest, "pipeline_number", "pipeline_number", _FLAKY),
    SpellingSeen(FlakyTest, "workflow_name", "workflow_name", _FLAKY),
    SpellingSeen(FlakyTest, "test_name", "test_name", _FLAKY),
    SpellingSeen(FlakyTest, "job_name", "job_name", _FLAKY),
    SpellingSeen(FlakyTest, "job_number", "job_number", _FLAKY),
    SpellingSeen(FlakyTest, "times_flaked", "times_flaked", _FLAKY),
    SpellingSeen(FlakyTest, "time_wasted", "time_wasted", _FLAKY),
    SpellingSeen(CheckoutKey, "public_key", "public_key", _CHECKOUT),
    SpellingSeen(CheckoutKey, "created_at", "created_at", _GO_SDK),
    SpellingSeen(
        Collaboration,
        "vcs_type",
        "vcs_type",
        _PYCIRCLECI.format("get_user_collaborations_response.json")
        + "; CircleCI-Public/circleci-cli internal/apiclient/me.go @ "
        "5bb718335615a3711b51479ae383759c6556cc1a reads `vcs_type`",
    ),
    SpellingSeen(Webhook, "verify_tls", "verify_tls", _GO_SDK),
    SpellingSeen(Webhook, "signing_secret", "signing_secret", _GO_SDK),
    SpellingSeen(Webhook, "created_at", "created_at", _GO_SDK),
    SpellingSeen(Webhook, "updated_at", "updated_at", _GO_SDK),
    SpellingSeen(Schedule, "project_slug", "project_slug", _SCHEDULES),
    SpellingSeen(Schedule, "created_at", "created_at", _SCHEDULES),
    SpellingSeen(Timetable, "per_hour", "per_hour", _SCHEDULES),
    SpellingSeen(Timetable, "hours_of_day", "hours_of_day", _SCHEDULES),
    SpellingSeen(Timetable, "days_of_week", "days_of_week", _SCHEDULES),
)
"""Fields real answers spell the other way; all read by the decoder's general rule."""


ENUM_VALUES_SEEN: tuple[tuple[Enum, str], ...] = (
    (
        TriggerType.SCHEDULE,
        "issue 18: the collection of recorded live answers (2020-2023) it was written from has "
        "`trigger.type` 'schedule' in most recorded pipelines, a value the spec's enum "
        "(scheduled_pipeline, explicit, api, webhook) lacks; CircleCI's own CLI names schedule "
        "triggers 'schedule' too (CircleCI-Public/circleci-cli internal/apiclient/trigger.go @ "
        "5bb718335615a3711b51479ae383759c6556cc1a). No public recorded pipeline with it was "
        "found for tests/samples",
    ),
)
"""Enum members that are not in the spec, but in real answers; each with its evidence. Values
not listed are still kept (the enums are open), with a drift warning."""
