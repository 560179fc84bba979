"""Every method of the client against the fake over loopback, one round trip per spec tag.

Each scenario creates things, finds them again by get and list, changes and deletes them,
and asserts on what the client decodes (a deleted thing is a `NotFoundError`). Every answer
is checked against the spec at teardown (tests/conftest.py). `test_every_operation_is_called`
runs all scenarios on one fake and fails when an operation of `OPERATIONS` was never served.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, TypeVar

import pytest

from circleci_async import (
    OPERATIONS,
    BadRequestError,
    CircleCI,
    ConflictError,
    NotFoundError,
    Paginator,
)
from circleci_async.models import (
    AdvancedSettings,
    AttributionActor,
    CheckoutKeyType,
    CheckoutSource,
    ConfigSource,
    ContextEnvironmentVariable,
    EventSource,
    EventSourceWebhook,
    JobStatus,
    Label,
    PipelineCreation,
    PipelineNotTriggered,
    PipelineState,
    RestrictionType,
    Rollback,
    Timetable,
    TriggeredPipeline,
    UsageExport,
    UsageExportState,
    VcsType,
    WebhookEvent,
    Weekday,
    WorkflowRerun,
    WorkflowRunStatus,
    WorkflowStatus,
)
from circleci_async.models.spec_fixes import UNDECLARED_PAGE_TOKEN
from circleci_async.testing import (
    FakeCircleCI,
    FakeState,
    JobRecord,
    OrganizationRecord,
    PipelineRecord,
    ProjectRecord,
    WorkflowRecord,
)
from circleci_async.testing.handlers import insights as canned
from circleci_async.testing.handlers.policies import CANNED_REASON

from .operation_calls import CALLS
from .spec_schemas import operations, resolve

T = TypeVar("T")


def some(value: T | None) -> T:
    """`value`, asserted present (fields the spec requires are `X | None` in the models)."""
    assert value is not None
    return value


SLUG = "gh/acme/rocket"
NOBODY = "00000000-0000-4000-8000-00000000dead"
"""An id the fake never issues."""
CONFIG = """version: 2.1
workflows:
  deploy:
    jobs:
      - build
      - hold:
          type: approval
          requires:
            - build
      - ship:
          requires:
            - hold
"""
POLICY = """package org
policy_name["docker_only"]
"""


@dataclass
class World:
    """What a scenario works with: the fake, a client on it, and a project of `gh/acme`."""

    fake: FakeCircleCI
    circle: CircleCI
    project: ProjectRecord
    org: OrganizationRecord

    @property
    def state(self) -> FakeState:
        return self.fake.state


Scenario = Callable[[World], Awaitable[None]]


async def collect(paginator: Paginator[Any]) -> list[Any]:
    return [item async for item in paginator]


@dataclass
class History:
    """A pipeline with a failed workflow, and one with a running and an on-hold workflow."""

    done: PipelineRecord
    failed: WorkflowRecord
    lint: JobRecord
    test: JobRecord
    live: PipelineRecord
    running: WorkflowRecord
    unit: JobRecord
    later: JobRecord
    held: WorkflowRecord
    hold: JobRecord


def history(state: FakeState, slug: str) -> History:
    """Add a `History` to the project `slug`; `test` has an artifact and two test results."""
    done = state.add_pipeline(slug, branch="main", parameters={"deploy": True})
    failed = state.add_workflow(done.id, name="build", status="failed")
    lint = state.add_job(failed.id, name="lint", status="success")
    test = state.add_job(failed.id, name="test", status="failed", dependencies=[lint.id])
    state.add_job(failed.id, name="package", status="not_run", dependencies=[test.id])
    live = state.add_pipeline(slug, branch="main")
    running = state.add_workflow(live.id, name="build", status="running")
    unit = state.add_job(running.id, name="unit", status="running")
    later = state.add_job(running.id, name="later", status="queued", dependencies=[unit.id])
    held = state.add_workflow(live.id, name="release", status="on_hold")
    ready = state.add_job(held.id, name="ready", status="success")
    hold = state.add_job(
        held.id, name="hold", status="on_hold", type="approval", dependencies=[ready.id]
    )
    state.add_job(held.id, name="ship", status="blocked", dependencies=[hold.id])
    state.add_artifact(slug, number(test), "reports/junit.xml", b"<testsuites/>")
    state.add_artifact(slug, number(test), "reports/coverage.xml", b"<coverage/>")
    state.add_test(slug, number(test), name="test_ok")
    state.add_test(slug, number(test), name="test_bad", result="failure", message="boom")
    return History(done, failed, lint, test, live, running, unit, later, held, hold)


def number(job: JobRecord) -> int:
    """The job number of a build job."""
    assert job.number is not None
    return job.number


# User ----------------------------------------------------------------------------------


async def users(world: World) -> None:
    circle, state = world.circle, world.state
    me = await circle.users.me()
    assert (me.id, me.login) == (state.user.id, "fake-user")
    other = state.add_user("octocat", name="Mona Lisa Octocat")
    found = await circle.users.get(other.id)
    assert (found.login, found.name) == ("octocat", "Mona Lisa Octocat")
    collaborations = await circle.users.collaborations()
    assert world.org.slug in {item.slug for item in collaborations}
    assert next(c for c in collaborations if c.slug == "gh/acme").vcs_type == "github"
    with pytest.raises(NotFoundError):
        await circle.users.get(NOBODY)


# Organization --------------------------------------------------------------------------


async def organizations(world: World) -> None:
    circle = world.circle
    org = await circle.organizations.create(name="rocketeers", vcs_type=VcsType.CIRCLECI)
    assert (org.slug, org.vcs_type) == (f"circleci/{org.id}", VcsType.CIRCLECI)
    assert org.id in {item.id for item in await circle.users.collaborations()}
    entry = await circle.organizations.create_url_orb_allow_list_entry(
        org.id, name="ours", prefix="https://orbs.example.com/", auth="none"
    )
    listed = await circle.organizations.url_orb_allow_list(some(org.slug))
    assert [(item.id, item.prefix, item.auth) for item in listed] == [
        (entry.id, "https://orbs.example.com/", "none")
    ]
    removed = await circle.organizations.delete_url_orb_allow_list_entry(org.id, entry.id)
    assert removed.id == entry.id
    assert await circle.organizations.url_orb_allow_list(org.id) == []
    with pytest.raises(NotFoundError):
        await circle.organizations.delete_url_orb_allow_list_entry(org.id, entry.id)
    project = await circle.projects.create(org.id, name="launchpad")
    assert project.organization_id == org.id
    assert project.slug.startswith(f"circleci/{org.id}/")
    with pytest.raises(ConflictError):
        await circle.organizations.create(name="acme", vcs_type="github")
    assert "deleted" in some((await circle.organizations.delete(some(org.slug))).message)
    with pytest.raises(NotFoundError):
        await circle.organizations.url_orb_allow_list(org.id)
    with pytest.raises(NotFoundError):
        await circle.projects.get(project.slug)


# Project -------------------------------------------------------------------------------


async def projects(world: World) -> None:
    circle = world.circle
    created = await circle.projects.create("gh/acme", name="booster")
    slug = "gh/acme/booster"
    assert (created.slug, created.organization_id) == (slug, world.org.id)
    assert await circle.projects.get(slug) == created
    with pytest.raises(ConflictError):
        await circle.projects.create(world.org.id, name="booster")
    settings = await circle.projects.settings(slug)
    assert settings.advanced is not None
    assert (settings.advanced.oss, settings.advanced.set_github_status) == (False, True)
    changed = await circle.projects.update_settings(
        slug, advanced=AdvancedSettings(oss=True, pr_only_branch_overrides=["main", "release"])
    )
    assert changed.advanced is not None
    assert changed.advanced.oss is True
    assert changed.advanced.pr_only_branch_overrides == ["main", "release"]
    assert await circle.projects.settings(slug) == changed
    followed = await circle.projects.create_from_slug("github/acme/satellite")
    assert followed.advanced is not None
    assert followed.advanced.oss is False
    assert (await circle.projects.get("gh/acme/satellite")).name == "satellite"

    variable = await circle.projects.create_env_var(slug, name="API_KEY", value="s3cret-value")
    assert (variable.name, variable.value) == ("API_KEY", "xxxxalue")
    assert (await circle.projects.env_var(slug, "API_KEY")).value == "xxxxalue"
    await circle.projects.create_env_var(slug, name="REGION", value="eu")
    names = [item.name for item in await collect(circle.projects.env_vars(slug))]
    assert names == ["API_KEY", "REGION"]
    assert "deleted" in some((await circle.projects.delete_env_var(slug, "API_KEY")).message)
    assert [item.name for item in await collect(circle.projects.env_vars(slug))] == ["REGION"]
    with pytest.raises(NotFoundError):
        await circle.projects.env_var(slug, "API_KEY")

    deploy = await circle.projects.create_checkout_key(slug, type="deploy-key")
    assert (deploy.type, deploy.preferred) == (CheckoutKeyType.DEPLOY_KEY, True)
    user = await circle.projects.create_checkout_key(slug, type="user-key")
    assert (user.type, user.preferred) == (CheckoutKeyType.GITHUB_USER_KEY, True)
    keys = await collect(circle.projects.checkout_keys(slug))
    assert [(key.fingerprint, key.preferred) for key in keys] == [
        (deploy.fingerprint, False),
        (user.fingerprint, True),
    ]
    by_sha = await collect(circle.projects.checkout_keys(slug, digest="sha256"))
    assert all(key.fingerprint.startswith("SHA256:") for key in by_sha)
    assert (await circle.projects.checkout_key(slug, by_sha[0].fingerprint)).public_key == (
        deploy.public_key
    )
    assert (await circle.projects.checkout_key(slug, deploy.fingerprint)).fingerprint == (
        deploy.fingerprint
    )
    await circle.projects.delete_checkout_key(slug, deploy.fingerprint)
    with pytest.raises(NotFoundError):
        await circle.projects.checkout_key(slug, deploy.fingerprint)

    assert "deleted" in some((await circle.projects.delete(slug)).message)
    with pytest.raises(NotFoundError):
        await circle.projects.get(slug)


# Pipeline ------------------------------------------------------------------------------


async def pipelines(world: World) -> None:
    circle, state = world.circle, world.state
    made = history(state, SLUG)
    other = state.add_user("someone-else")
    theirs = state.add_pipeline(SLUG, branch="dev", actor=other)
    created = await circle.pipelines.trigger(SLUG, branch="main", parameters={"deploy": True})
    assert isinstance(created, PipelineCreation)
    got = await circle.pipelines.get(created.id)
    assert (got.number, got.state, got.trigger_parameters) == (
        created.number,
        PipelineState.PENDING,
        {"deploy": True},
    )
    assert (await circle.pipelines.get_by_number(SLUG, created.number)).id == created.id
    on_main = [p.id for p in await collect(circle.pipelines.list(SLUG, branch="main"))]
    assert created.id in on_main
    assert theirs.id not in on_main
    mine = {p.id for p in await collect(circle.pipelines.mine(SLUG))}
    assert created.id in mine
    assert theirs.id not in mine
    followed = [p.id for p in await collect(circle.pipelines.followed(org_slug="gh/acme"))]
    assert followed[0] == created.id
    assert theirs.id in followed
    assert theirs.id not in {p.id for p in await collect(circle.pipelines.followed(mine=True))}
    workflows = await collect(circle.pipelines.workflows(made.live.id))
    assert [w.name for w in workflows] == ["build", "release"]

    config = await circle.pipelines.config(made.done.id)
    assert "workflows:" in some(config.source)
    assert "      - package:" in some(config.source)
    assert some(config.compiled).startswith("# Compiled")
    assert config.setup_config is None
    values = await circle.pipelines.values(made.done.id)
    assert values["pipeline.number"] == made.done.number
    assert (values["pipeline.git.branch"], values["pipeline.in_setup"]) == ("main", False)

    setup = state.add_pipeline(SLUG, branch="main")
    state.add_workflow(setup.id, name="setup", status="success", tag="setup")
    key = setup.continuation_key
    assert key is not None
    assert (await circle.pipelines.values(setup.id))["pipeline.in_setup"] is True
    answer = await circle.pipelines.continue_from_setup(continuation_key=key, configuration=CONFIG)
    assert "continued" in some(answer.message)
    continued = await collect(circle.pipelines.workflows(setup.id))
    assert [(w.name, w.status) for w in continued] == [
        ("setup", WorkflowStatus.SUCCESS),
        ("deploy", WorkflowStatus.RUNNING),
    ]
    jobs = await collect(circle.workflows.jobs(continued[1].id))
    assert [(j.name, j.status) for j in jobs] == [
        ("build", JobStatus.RUNNING),
        ("hold", JobStatus.BLOCKED),
        ("ship", JobStatus.BLOCKED),
    ]
    after = await circle.pipelines.config(setup.id)
    assert after.source == CONFIG
    assert after.setup_config is not None
    with pytest.raises(NotFoundError):
        await circle.pipelines.continue_from_setup(continuation_key=key, configuration=CONFIG)

    definition = await circle.pipeline_definitions.create(
        world.project.id,
        name="run",
        config_source=ConfigSource.github_app("42", ".circleci/config.yml"),
        checkout_source=CheckoutSource.github_app("42"),
    )
    head = state.push_commit(SLUG, "Add the launch button", branch="main")
    run = await circle.pipelines.run(
        SLUG, definition_id=definition.id, config_branch="main", checkout_branch="main"
    )
    assert isinstance(run, TriggeredPipeline)
    assert run.triggered
    assert run.id is not None
    built = await circle.pipelines.get(run.id)
    assert built.vcs is not None
    assert built.vcs.revision == head.revision
    state.push_commit(SLUG, "Fix the README [ci skip]", branch="main")
    before = len(world.project.pipelines)
    skipped = await circle.pipelines.run(SLUG, checkout_branch="main")
    assert isinstance(skipped, PipelineNotTriggered)
    assert not skipped.triggered
    assert skipped.message is not None
    assert "[ci skip]" in skipped.message
    assert len(world.project.pipelines) == before
    with pytest.raises(NotFoundError):
        await circle.pipelines.run(SLUG, definition_id=NOBODY)


# Workflow ------------------------------------------------------------------------------


async def workflows(world: World) -> None:
    circle, state = world.circle, world.state
    made = history(state, SLUG)
    me = state.user.id
    held, hold = made.held, made.hold
    assert hold.approval_request_id is not None
    assert (await circle.workflows.get(held.id)).status is WorkflowStatus.ON_HOLD
    await circle.workflows.approve(held.id, hold.approval_request_id)
    assert (await circle.workflows.get(held.id)).status is WorkflowStatus.RUNNING
    jobs = {job.name: job for job in await collect(circle.workflows.jobs(held.id))}
    assert (jobs["hold"].status, jobs["hold"].approved_by) == (JobStatus.SUCCESS, me)
    assert jobs["ship"].status is JobStatus.QUEUED
    with pytest.raises(BadRequestError):
        await circle.workflows.approve(held.id, hold.approval_request_id)
    with pytest.raises(NotFoundError):
        await circle.workflows.approve(held.id, NOBODY)

    running = made.running
    await circle.workflows.cancel(running.id)
    canceled = await circle.workflows.get(running.id)
    assert (canceled.status, canceled.canceled_by) == (WorkflowStatus.CANCELED, me)
    assert canceled.stopped_at is not None
    statuses = {job.status for job in await collect(circle.workflows.jobs(running.id))}
    assert statuses == {JobStatus.CANCELED}
    with pytest.raises(BadRequestError):
        await circle.workflows.cancel(running.id)

    failed = made.failed
    rerun = await circle.workflows.rerun(failed.id, from_failed=True)
    assert isinstance(rerun, WorkflowRerun)
    again = await circle.workflows.get(rerun.workflow_id)
    assert (again.name, again.status, again.pipeline_id) == (
        "build",
        WorkflowStatus.RUNNING,
        made.done.id,
    )
    rerun_jobs = [(j.name, j.status) for j in await collect(circle.workflows.jobs(again.id))]
    assert rerun_jobs == [
        ("lint", JobStatus.SUCCESS),
        ("test", JobStatus.RUNNING),
        ("package", JobStatus.BLOCKED),
    ]
    listed = await collect(circle.pipelines.workflows(made.done.id))
    assert [w.id for w in listed] == [failed.id, again.id]
    only = await circle.workflows.rerun(failed.id, jobs=[made.lint.id], enable_ssh=True)
    assert isinstance(only, WorkflowRerun)
    only_jobs = [(j.name, j.status) for j in await collect(circle.workflows.jobs(only.workflow_id))]
    assert only_jobs[0] == ("lint", JobStatus.RUNNING)
    with pytest.raises(BadRequestError):
        await circle.workflows.rerun(again.id)


# Job -----------------------------------------------------------------------------------


async def jobs(world: World) -> None:
    circle, state = world.circle, world.state
    made = history(state, SLUG)
    test, unit, later = number(made.test), number(made.unit), number(made.later)
    details = await circle.jobs.get(SLUG, test)
    assert (details.name, details.status, some(details.pipeline).id) == (
        "test",
        JobStatus.FAILED,
        made.done.id,
    )
    artifacts = await collect(circle.jobs.artifacts(SLUG, test))
    assert [a.path for a in artifacts] == ["reports/junit.xml", "reports/coverage.xml"]
    results = await collect(circle.jobs.tests(SLUG, test))
    assert [(r.name, r.result) for r in results] == [
        ("test_ok", "success"),
        ("test_bad", "failure"),
    ]
    assert "canceled" in some((await circle.jobs.cancel(SLUG, unit)).message)
    stopped = await circle.jobs.get(SLUG, unit)
    assert stopped.status is JobStatus.CANCELED
    assert stopped.stopped_at is not None
    assert (await circle.jobs.get(SLUG, later)).status is JobStatus.NOT_RUN
    assert (await circle.workflows.get(made.running.id)).status is WorkflowStatus.CANCELED
    with pytest.raises(BadRequestError):
        await circle.jobs.cancel(SLUG, unit)
    waiting = state.add_job(made.held.id, name="smoke", status="queued")
    await circle.jobs.cancel_by_id(waiting.id)
    assert (await circle.jobs.get(SLUG, number(waiting))).status is JobStatus.CANCELED
    with pytest.raises(NotFoundError):
        await circle.jobs.cancel_by_id(NOBODY)


# Schedule ------------------------------------------------------------------------------


async def schedules(world: World) -> None:
    circle, me = world.circle, world.state.user
    timetable = Timetable(per_hour=1, hours_of_day=[3], days_of_week=[Weekday.MON, Weekday.FRI])
    created = await circle.schedules.create(
        SLUG,
        name="nightly",
        timetable=timetable,
        attribution_actor=AttributionActor.CURRENT,
        parameters={"branch": "main", "deploy": False},
        description="Builds main at night",
    )
    assert (some(created.actor).id, created.project_slug, created.timetable) == (
        me.id,
        SLUG,
        timetable,
    )
    assert await circle.schedules.get(created.id) == created
    weekly = await circle.schedules.create(
        SLUG,
        name="weekly",
        timetable=Timetable(per_hour=2, hours_of_day=[6, 18], days_of_month=[1, 15]),
        attribution_actor="system",
        parameters={"tag": "v1"},
    )
    listed = [s.id for s in await collect(circle.schedules.list(SLUG))]
    assert listed[-2:] == [created.id, weekly.id]
    with pytest.raises(ConflictError):
        await circle.schedules.create(
            SLUG,
            name="nightly",
            timetable=timetable,
            attribution_actor="system",
            parameters={"tag": "v1"},
        )
    updated = await circle.schedules.update(
        created.id, description="Every night", attribution_actor="system"
    )
    assert (updated.description, some(updated.actor).login) == ("Every night", "system-actor")
    assert some(updated.updated_at) >= some(created.updated_at)
    assert updated.name == "nightly"
    assert await circle.schedules.get(created.id) == updated
    assert "deleted" in some((await circle.schedules.delete(created.id)).message)
    with pytest.raises(NotFoundError):
        await circle.schedules.get(created.id)
    assert [s.id for s in await collect(circle.schedules.list(SLUG))][-1:] == [weekly.id]


# Webhook -------------------------------------------------------------------------------


async def webhooks(world: World) -> None:
    circle, project_id = world.circle, world.project.id
    created = await circle.webhooks.create(
        name="notify",
        url="https://example.com/hook",
        events=[WebhookEvent.WORKFLOW_COMPLETED],
        verify_tls=True,
        signing_secret="s3cret-1234",
        scope_id=project_id,
    )
    assert (some(created.scope).id, created.signing_secret) == (project_id, "****1234")
    assert await circle.webhooks.get(created.id) == created
    audit = await circle.webhooks.create(
        name="audit",
        url="https://audit.example.com/hook",
        events=[WebhookEvent.JOB_COMPLETED],
        verify_tls=False,
        signing_secret="another-secret",
        scope_id=project_id,
    )
    hooks = await collect(circle.webhooks.list(scope_id=project_id))
    assert [w.id for w in hooks] == [created.id, audit.id]
    updated = await circle.webhooks.update(
        created.id, name="renamed", events=["workflow-completed", "job-completed"]
    )
    assert (updated.name, updated.events, updated.url) == (
        "renamed",
        [WebhookEvent.WORKFLOW_COMPLETED, WebhookEvent.JOB_COMPLETED],
        "https://example.com/hook",
    )
    assert "deleted" in some((await circle.webhooks.delete(created.id)).message)
    with pytest.raises(NotFoundError):
        await circle.webhooks.get(created.id)
    assert await collect(circle.webhooks.list(scope_id=project_id)) == [audit]
    with pytest.raises(NotFoundError):
        await collect(circle.webhooks.list(scope_id=NOBODY))


# Context -------------------------------------------------------------------------------


async def contexts(world: World) -> None:
    circle, org_id = world.circle, world.org.id
    context = await circle.contexts.create(name="deploy", owner_slug="gh/acme")
    other = await circle.contexts.create(name="audit", owner_id=org_id)
    assert await circle.contexts.get(context.id) == context
    owned = await collect(circle.contexts.list(owner_id=org_id))
    assert [item for item in owned if item.name in ("deploy", "audit")] == [context, other]
    assert context in await collect(circle.contexts.list(owner_slug="github/acme"))
    with pytest.raises(ConflictError):
        await circle.contexts.create(name="deploy", owner_id=org_id)

    first = await circle.contexts.set_env_var(context.id, "TOKEN", value="one")
    second = await circle.contexts.set_env_var(context.id, "TOKEN", value="two")
    assert isinstance(first, ContextEnvironmentVariable)
    assert isinstance(second, ContextEnvironmentVariable)
    assert (second.variable, second.created_at) == ("TOKEN", first.created_at)
    assert some(second.updated_at) >= some(first.updated_at)
    await circle.contexts.set_env_var(context.id, "REGION", value="eu")
    variables = await collect(circle.contexts.env_vars(context.id))
    assert [(v.variable, v.context_id) for v in variables] == [
        ("TOKEN", context.id),
        ("REGION", context.id),
    ]
    await circle.contexts.delete_env_var(context.id, "TOKEN")
    remaining_variables = await collect(circle.contexts.env_vars(context.id))
    assert [v.variable for v in remaining_variables] == ["REGION"]
    with pytest.raises(NotFoundError):
        await circle.contexts.delete_env_var(context.id, "TOKEN")

    group = await circle.groups.create(org_id, name="releasers")
    assert group.id is not None
    by_project = await circle.contexts.create_restriction(
        context.id, restriction_type=RestrictionType.PROJECT, restriction_value=world.project.id
    )
    assert (by_project.name, by_project.project_id) == ("rocket", world.project.id)
    await circle.contexts.create_restriction(
        context.id, restriction_type="group", restriction_value=group.id
    )
    await circle.contexts.create_restriction(
        context.id, restriction_type="expression", restriction_value='pipeline.git.branch == "main"'
    )
    restrictions = await collect(circle.contexts.restrictions(context.id))
    assert [(r.restriction_type, r.context_id) for r in restrictions] == [
        (RestrictionType.PROJECT, context.id),
        (RestrictionType.GROUP, context.id),
        (RestrictionType.EXPRESSION, context.id),
    ]
    with pytest.raises(ConflictError):
        await circle.contexts.create_restriction(
            context.id, restriction_type="group", restriction_value=group.id
        )
    assert by_project.id is not None
    await circle.contexts.delete_restriction(context.id, by_project.id)
    await circle.groups.delete(org_id, group.id)
    remaining = await collect(circle.contexts.restrictions(context.id))
    assert [r.restriction_type for r in remaining] == [RestrictionType.EXPRESSION]
    assert "deleted" in some((await circle.contexts.delete(context.id)).message)
    with pytest.raises(NotFoundError):
        await circle.contexts.get(context.id)


# Groups --------------------------------------------------------------------------------


async def groups(world: World) -> None:
    circle, org_id = world.circle, world.org.id
    made = [
        await circle.groups.create(org_id, name=f"team-{index}", description=f"Team {index}")
        for index in range(3)
    ]
    pages = [page async for page in circle.groups.list(org_id, limit=2).pages()]
    assert [len(page.items) for page in pages] == [2, 1]
    listed = await collect(circle.groups.list(org_id))
    assert [g.id for g in listed if g.name and g.name.startswith("team-")] == [g.id for g in made]
    assert made[1].id is not None
    assert await circle.groups.get(org_id, made[1].id) == made[1]
    with pytest.raises(ConflictError):
        await circle.groups.create(org_id, name="team-0")
    await circle.groups.delete(org_id, made[1].id)
    with pytest.raises(NotFoundError):
        await circle.groups.get(org_id, made[1].id)
    with pytest.raises(NotFoundError):
        await collect(circle.groups.list(NOBODY))


# Usage ---------------------------------------------------------------------------------


async def usage(world: World) -> None:
    circle, org_id = world.circle, world.org.id
    now = world.state.now()
    job = await circle.usage.create_export(org_id, start=now - timedelta(days=8), end=now)
    assert isinstance(job, UsageExport)
    assert (job.state, job.download_urls) == (UsageExportState.CREATED, [])
    polls = [await circle.usage.export(org_id, job.usage_export_job_id) for _ in range(3)]
    assert [p.state for p in polls] == [
        UsageExportState.PROCESSING,
        UsageExportState.COMPLETED,
        UsageExportState.COMPLETED,
    ]
    assert len(polls[-1].download_urls) == 1
    shared = await circle.usage.create_export(
        org_id, start=now - timedelta(days=2), end=now, shared_org_ids=[NOBODY]
    )
    assert isinstance(shared, UsageExport)
    for _ in range(2):
        status = await circle.usage.export(org_id, shared.usage_export_job_id)
    assert status.state is UsageExportState.FAILED
    assert NOBODY in (status.error_reason or "")
    with pytest.raises(BadRequestError):
        await circle.usage.create_export(org_id, start=now - timedelta(days=40), end=now)
    with pytest.raises(NotFoundError):
        await circle.usage.export(org_id, NOBODY)


# OIDC Token Management -----------------------------------------------------------------


async def oidc(world: World) -> None:
    circle, org_id, project_id = world.circle, world.org.id, world.project.id
    blank = await circle.oidc.org_claims(org_id)
    assert (blank.org_id, blank.audience, blank.ttl) == (org_id, None, None)
    changed = await circle.oidc.update_org_claims(org_id, audience=["sts.amazonaws.com"], ttl="1h")
    assert (changed.audience, changed.ttl) == (["sts.amazonaws.com"], "1h")
    assert changed.audience_updated_at is not None
    assert await circle.oidc.org_claims(org_id) == changed
    trimmed = await circle.oidc.delete_org_claims(org_id, claims=["ttl"])
    assert (trimmed.audience, trimmed.ttl) == (["sts.amazonaws.com"], None)

    project = await circle.oidc.update_project_claims(org_id, project_id, ttl="30m")
    assert (project.project_id, project.ttl, project.audience) == (project_id, "30m", None)
    assert await circle.oidc.project_claims(org_id, project_id) == project
    cleared = await circle.oidc.delete_project_claims(
        org_id, project_id, claims=["ttl", "audience"]
    )
    assert (cleared.ttl, cleared.audience) == (None, None)
    with pytest.raises(NotFoundError):
        await circle.oidc.project_claims(org_id, NOBODY)
    assert world.fake.requests[-1].body_json == {"error": "Project not found."}


# Policy Management ---------------------------------------------------------------------


async def policies(world: World) -> None:
    circle, owner = world.circle, world.org.id
    assert await circle.policies.policy_bundle(owner, "config") == {}
    dry = await circle.policies.create_policy_bundle(
        owner, "config", policies={"docker.rego": POLICY}, dry=True
    )
    assert (dry.created, dry.deleted, dry.modified) == (["docker"], [], [])
    assert await circle.policies.policy_bundle(owner, "config") == {}
    await circle.policies.create_policy_bundle(owner, "config", policies={"docker.rego": POLICY})
    bundle = await circle.policies.policy_bundle(owner, "config")
    assert [(name, [p.content for p in docs]) for name, docs in bundle.items()] == [
        ("docker", [POLICY])
    ]
    assert (await circle.policies.policy(owner, "config", "docker")).content == POLICY
    with pytest.raises(NotFoundError):
        await circle.policies.policy(owner, "config", "nothing")

    assert (await circle.policies.decision_settings(owner, "config")).enabled is True
    off = await circle.policies.update_decision_settings(owner, "config", enabled=False)
    assert off.enabled is False
    assert (await circle.policies.decision_settings(owner, "config")).enabled is False

    metadata = {"project_id": world.project.id, "build_number": 4, "vcs": {"branch": "main"}}
    failing = await circle.policies.decide(
        owner, "config", input="jobs:\n  b:\n    machine: true\n", metadata=metadata
    )
    assert failing.status == "HARD_FAIL"
    assert failing.enabled_rules == ["docker"]
    assert [(v.rule, v.reason) for v in failing.hard_failures or []] == [("docker", CANNED_REASON)]
    changed = await circle.policies.create_policy_bundle(
        owner, "config", policies={"docker.rego": POLICY + "# changed\n"}
    )
    assert changed.modified == ["docker"]
    emptied = await circle.policies.create_policy_bundle(owner, "config", policies={})
    assert emptied.deleted == ["docker"]
    passing = await circle.policies.decide(owner, "config", input="jobs: {}")
    assert passing.status == "PASS"
    assert passing.enabled_rules == []
    assert passing.hard_failures is None
    logs = await collect(circle.policies.decision_logs(owner, "config"))
    assert [log.decision.status for log in logs if log.decision] == ["PASS", "HARD_FAIL"]
    on_main = await collect(circle.policies.decision_logs(owner, "config", branch="main"))
    assert [log.id for log in on_main] == [logs[1].id]
    assert logs[1].metadata is not None
    assert logs[1].metadata.build_number == 4
    assert logs[1].id is not None
    assert await circle.policies.decision_log(owner, "config", logs[1].id) == logs[1]
    used = await circle.policies.decision_policy_bundle(owner, "config", logs[1].id)
    assert [(name, [p.content for p in docs]) for name, docs in used.items()] == [
        ("docker", [POLICY])
    ]
    assert logs[0].id is not None
    assert await circle.policies.decision_policy_bundle(owner, "config", logs[0].id) == {}


# Deploy and Rollback -------------------------------------------------------------------


async def deploys(world: World) -> None:
    circle, state, org_id = world.circle, world.state, world.org.id
    production = state.add_environment(org_id, "production", labels={"tier": "prod"})
    state.add_environment(org_id, "staging", description="Pre-release checks")
    component = state.add_component(SLUG, "web", labels={"team": "core"})
    state.add_component(SLUG, "api")
    now = state.now()
    state.add_component_version(component.id, production.id, "1.0.0", deployed_at=now)
    state.add_component_version(component.id, production.id, "1.0.1", deployed_at=now)
    pages = [page async for page in circle.deploys.environments(org_id, page_size=1).pages()]
    assert [[e.name for e in page.items] for page in pages] == [["production"], ["staging"]]
    got = await circle.deploys.environment(production.id)
    assert got.labels == [Label(key="tier", value="prod")]
    assert got.description is None
    listing = circle.deploys.components(org_id, project_id=world.project.id, page_size=1)
    components = await collect(listing)
    assert [(c.name, c.release_count) for c in components] == [("web", 2), ("api", 0)]
    assert await circle.deploys.component(component.id) == components[0]
    versions = await collect(
        circle.deploys.component_versions(component.id, environment_id=production.id)
    )
    assert [(v.name, v.is_live) for v in versions] == [("1.0.1", True), ("1.0.0", False)]

    rollback = await circle.rollbacks.create(
        world.project.id,
        environment_name="production",
        component_name="web",
        current_version="1.0.1",
        target_version="1.0.0",
        reason="1.0.1 breaks checkout",
    )
    assert isinstance(rollback, Rollback)
    assert rollback.id is not None
    assert rollback.rollback_type == "PIPELINE"
    after = await collect(circle.deploys.component_versions(component.id))
    assert [(v.name, v.is_live) for v in after] == [("1.0.0", True), ("1.0.1", False)]
    with pytest.raises(ConflictError):
        await circle.rollbacks.create(
            world.project.id,
            environment_name="production",
            component_name="web",
            current_version="1.0.1",
            target_version="1.0.0",
        )
    with pytest.raises(NotFoundError):
        await circle.deploys.environment(NOBODY)


# Pipeline Definition and Trigger -------------------------------------------------------


async def definitions(world: World) -> None:
    circle, project_id = world.circle, world.project.id
    created = await circle.pipeline_definitions.create(
        project_id,
        name="build",
        description="The main build",
        config_source=ConfigSource.github_app("123", ".circleci/config.yml"),
        checkout_source=CheckoutSource.github_app("123"),
    )
    assert created.id is not None
    assert created.config_source is not None
    assert created.config_source.repo is not None
    assert created.config_source.repo.full_name == "acme/rocket"
    definition_id = created.id
    assert await circle.pipeline_definitions.get(project_id, definition_id) == created
    assert created in await circle.pipeline_definitions.list(project_id)
    moved = await circle.pipeline_definitions.update(
        project_id,
        definition_id,
        name="build-2",
        config_source=ConfigSource(file_path=".circleci/other.yml"),
    )
    assert moved.name == "build-2"
    assert moved.config_source is not None
    assert moved.config_source.file_path == ".circleci/other.yml"

    pushes = await circle.triggers.create(
        project_id,
        definition_id,
        event_source=EventSource.github_app("123"),
        event_preset="all-pushes",
    )
    hook = await circle.triggers.create(
        project_id,
        definition_id,
        event_source=EventSource.inbound_webhook("deploy-bot"),
        checkout_ref="main",
        config_ref="main",
        event_name="deploy",
    )
    assert hook.event_source is not None
    assert hook.event_source.webhook is not None
    assert (hook.event_source.webhook.url or "").startswith("https://")
    listed = await circle.triggers.list(project_id, definition_id)
    assert [t.id for t in listed] == [pushes.id, hook.id]
    assert pushes.id is not None
    assert hook.id is not None
    assert await circle.triggers.get(project_id, pushes.id) == pushes
    disabled = await circle.triggers.update(project_id, pushes.id, disabled=True)
    assert disabled.disabled is True
    renamed = await circle.triggers.update(
        project_id,
        hook.id,
        event_source=EventSource(webhook=EventSourceWebhook(sender="release-bot")),
    )
    assert renamed.event_source is not None
    assert renamed.event_source.webhook is not None
    assert renamed.event_source.webhook.sender == "release-bot"
    again = await circle.triggers.update(
        project_id, hook.id, event_source=EventSource.inbound_webhook("deploy-bot-2")
    )
    assert again.event_source is not None
    assert again.event_source.webhook is not None
    assert again.event_source.webhook.sender == "deploy-bot-2"
    await circle.triggers.delete(project_id, pushes.id)
    with pytest.raises(NotFoundError):
        await circle.triggers.get(project_id, pushes.id)

    await circle.pipeline_definitions.delete(project_id, definition_id)
    with pytest.raises(NotFoundError):
        await circle.pipeline_definitions.get(project_id, definition_id)
    with pytest.raises(NotFoundError):
        await circle.triggers.get(project_id, hook.id)


# Insights ------------------------------------------------------------------------------

METRICS = "gh/acme/metrics"
WorkflowOutcome = Literal["success", "failed"]


def insight_history(state: FakeState) -> None:
    """Runs of `build`: four on main in the last four days, one on a feature branch, one on
    main 100 days ago. Each has one `test` job (medium: 10 credits a minute) with two tests,
    `test_flaky` failing where the run failed. And one `nightly` run of two one-minute jobs."""
    state.add_project(METRICS)
    runs: list[tuple[int, str, WorkflowOutcome, int]] = [
        (100, "main", "success", 10),
        (4, "main", "success", 10),
        (3, "main", "failed", 5),
        (2, "main", "success", 15),
        (1, "main", "success", 20),
        (1, "feature/x", "success", 5),
    ]
    for days, branch, status, minutes in runs:
        start = state.now() - timedelta(days=days)
        end = start + timedelta(minutes=minutes)
        pipeline = state.add_pipeline(METRICS, branch=branch, created_at=start)
        workflow = state.add_workflow(pipeline.id, name="build", status=status, created_at=start)
        job = state.add_job(workflow.id, name="test", status=status, created_at=start)
        workflow.stopped_at, job.started_at, job.stopped_at = end, start, end
        assert job.number is not None
        state.add_test(METRICS, job.number, name="test_ok", run_time=1.5)
        outcome = "success" if status == "success" else "failure"
        state.add_test(METRICS, job.number, name="test_flaky", result=outcome)
    start = state.now() - timedelta(days=2)
    pipeline = state.add_pipeline(METRICS, branch="main", created_at=start)
    nightly = state.add_workflow(pipeline.id, name="nightly", status="success", created_at=start)
    nightly.stopped_at = start + timedelta(minutes=2)
    for name in ("smoke", "report"):
        job = state.add_job(nightly.id, name=name, status="success", created_at=start)
        job.started_at, job.stopped_at = start, start + timedelta(minutes=1)


def _figures(decoded: object, canned: dict[str, object]) -> None:
    """Each canned figure decodes to the same value on its attribute."""
    for key, value in canned.items():
        if not isinstance(value, dict):
            assert getattr(decoded, key) == value, key


async def insights(world: World) -> None:
    """The fake's Insights figures are canned: they decode, and the names come from the runs."""
    circle = world.circle
    insight_history(world.state)
    project = world.state.projects[METRICS]
    summaries = await collect(circle.insights.workflow_metrics(METRICS))
    assert [(s.name, s.project_id) for s in summaries] == [
        ("build", project.id),
        ("nightly", project.id),
    ]
    metrics = summaries[0].metrics
    _figures(metrics, canned.WORKFLOW_METRICS)
    _figures(metrics.duration_metrics, canned.WORKFLOW_METRICS["duration_metrics"])
    assert summaries[0].window_start < summaries[0].window_end

    runs = await collect(circle.insights.workflow_runs(METRICS, "build"))
    assert [(r.status, r.branch) for r in runs[:2]] == [
        (WorkflowRunStatus.SUCCESS, "feature/x"),
        (WorkflowRunStatus.SUCCESS, "main"),
    ]
    assert [r.status for r in runs].count(WorkflowRunStatus.FAILED) == 1
    assert all((r.duration, r.credits_used) == (300, 100) for r in runs)
    jobs = await collect(circle.insights.job_metrics(METRICS, "build", job_name="tes"))
    assert [j.name for j in jobs] == ["test"]
    _figures(jobs[0].metrics, canned.JOB_METRICS)
    nightly_jobs = await collect(circle.insights.job_metrics(METRICS, "nightly"))
    assert [j.name for j in nightly_jobs] == ["report", "smoke"]
    workflow = await circle.insights.workflow_summary(METRICS, "build")
    metrics, trends = some(workflow.metrics), some(workflow.trends)
    assert (metrics.total_runs, metrics.completed_runs) == (40, 40)
    _figures(trends, canned.TRENDS)
    assert workflow.workflow_names == ["build", "nightly"]
    tests = await circle.insights.test_metrics(METRICS, "build")
    assert (tests.total_test_runs, tests.average_test_count, len(tests.test_runs)) == (20, 2, 6)
    assert {t.test_name for t in tests.most_failed_tests} == {"test_ok", "test_flaky"}
    _figures(tests.most_failed_tests[0], canned.TEST_METRICS)
    series = await collect(circle.insights.job_timeseries(METRICS, "build", granularity="daily"))
    assert [(item.name, item.metrics.total_runs) for item in series] == [("test", 40)] * 3
    assert series[0].timestamp < series[1].timestamp < series[2].timestamp

    page = await circle.insights.project_summary(METRICS, reporting_window="last-30-days")
    assert page.project_data is not None
    _figures(some(page.project_data.metrics), canned.TOTALS)
    assert page.all_branches == ["feature/x", "main"]
    assert page.all_workflows == ["build", "nightly"]
    narrowed = await circle.insights.project_summary(METRICS, branches=["main"])
    assert [
        (b.workflow_name, b.branch, some(b.metrics).p95_duration_secs)
        for b in narrowed.project_workflow_branch_data or []
    ] == [("build", "main", 615.0), ("nightly", "main", 615.0)]
    org = await circle.insights.org_summary("gh/acme", project_names=["metrics"])
    assert [(p.project_name, some(p.metrics).total_runs) for p in org.org_project_data] == [
        ("metrics", 120)
    ]
    assert org.all_projects is not None
    assert "metrics" in org.all_projects
    branches = await circle.insights.branches(METRICS, workflow_name="build")
    assert branches.branches == ["feature/x", "main"]
    flaky = await circle.insights.flaky_tests(METRICS)
    assert sorted((t.test_name, t.times_flaked, t.time_wasted) for t in flaky.flaky_tests) == [
        ("test_flaky", 3, 8),
        ("test_ok", 3, 8),
    ]
    assert {t.job_name for t in flaky.flaky_tests} == {"test"}
    with pytest.raises(NotFoundError):
        await circle.insights.workflow_summary(METRICS, "weekly")


SCENARIOS: dict[str, Scenario] = {
    "User": users,
    "Organization": organizations,
    "Project": projects,
    "Pipeline": pipelines,
    "Workflow": workflows,
    "Job": jobs,
    "Schedule": schedules,
    "Webhook": webhooks,
    "Context": contexts,
    "Groups": groups,
    "Usage": usage,
    "OIDC Token Management": oidc,
    "Policy Management": policies,
    "Deploy": deploys,
    "Pipeline Definition": definitions,
    "Insights": insights,
}
"""The scenario covering each spec tag (Rollback and Trigger are in Deploy and Definition)."""
COVERED_BY = {"Rollback": "Deploy", "Trigger": "Pipeline Definition"}


ERROR_SHAPED = frozenset({"OIDC Token Management", "Policy Management"})
"""Tags whose errors are `{"error": ...}` rather than `{"message": ...}`."""


def tag_of(operation_id: str) -> str:
    tag: str = operations()[operation_id].body["tags"][0]
    return COVERED_BY.get(tag, tag)


@asynccontextmanager
async def in_world(fake: FakeCircleCI) -> AsyncIterator[World]:
    project = fake.state.add_project(SLUG)
    org = fake.state.organization_of(project)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        yield World(fake, circle, project, org)


def token_paged() -> set[str]:
    """The operations whose answers carry a `next_page_token`."""
    return {
        operation_id
        for operation_id, operation in operations().items()
        for _, media in operation.responses()
        if "next_page_token" in resolve(media["schema"]).get("properties", {})
    }


def served(fake: FakeCircleCI) -> set[str]:
    return {r.operation_id for r in fake.requests if r.operation_id is not None}


@pytest.mark.parametrize("tag", sorted(SCENARIOS))
async def test_round_trip(fake: FakeCircleCI, tag: str) -> None:
    async with in_world(fake) as world:
        await SCENARIOS[tag](world)
    of_tag = {operation_id for operation_id in OPERATIONS if tag_of(operation_id) == tag}
    assert of_tag - served(fake) == set()
    assert all(r.status is not None and r.status < 500 for r in fake.requests)


async def test_every_operation_is_called(fake: FakeCircleCI) -> None:
    """All scenarios on one fake, one item a page: every token-paged list is walked page by
    page (also those whose `page-token` the spec forgets)."""
    assert {tag_of(operation_id) for operation_id in OPERATIONS} == set(SCENARIOS)
    fake.page_size = 1
    async with in_world(fake) as world:
        for scenario in SCENARIOS.values():
            await scenario(world)
    missing = sorted(set(OPERATIONS) - served(fake))
    assert missing == [], f"never called over loopback: {missing}"
    assert served(fake) == set(OPERATIONS)
    walked = {r.operation_id for r in fake.requests if "page-token" in r.query}
    assert sorted(token_paged() - walked) == []
    assert walked >= UNDECLARED_PAGE_TOKEN


async def call_as_listed(circle: CircleCI, operation_id: str) -> Any:
    """Call an operation's method with the arguments of tests/operation_calls.py."""
    service, method = OPERATIONS[operation_id].split(".")
    args, kwargs = CALLS[operation_id]
    result = getattr(getattr(circle, service), method)(*args, **kwargs)
    return await (collect(result) if isinstance(result, Paginator) else result)


async def test_unknown_ids_are_404s_in_each_operations_error_shape(fake: FakeCircleCI) -> None:
    """Every operation called as tests/operation_calls.py calls it, on an empty fake."""
    creating = {"getCurrentUser", "getCollaborations", "createOrganization", "createProject1"}
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        for operation_id in sorted(set(OPERATIONS) - creating):
            with pytest.raises(NotFoundError):
                await call_as_listed(circle, operation_id)
            answer = fake.requests[-1]
            key = "error" if tag_of(operation_id) in ERROR_SHAPED else "message"
            assert answer.status == 404, operation_id
            assert list(answer.body_json) == [key], operation_id
