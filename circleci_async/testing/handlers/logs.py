"""Step logs outside API v2: v1.1 job details, v3 job and output, the private raw output.

These answer as CircleCI does (outside the spec, so they are not spec-checked):

* `GET /api/v1.1/project/<vcs>/<org>/<repo>/<num>`: the job with `steps[].actions[]`; each
  action with output has an `output_url` on the storage origin, pre-signed for
  `OUTPUT_URL_TTL` seconds of the fake's clock, that needs (and should get) no token. `<vcs>`
  is `github` or `bitbucket` as v1.1 spells it, or `gh` / `bb` as CircleCI's MCP server sends.
* `GET /api/v3/jobs/<job-id>` (`Authorization: Bearer` only): steps under
  `data.attributes.parallel_executions[].steps[].num`; `.../stdout` and `.../stderr` with
  `filter[execution]` and `filter[step_num]` answer raw bytes, honour `Range: bytes=K-`,
  send `X-Terminal: true` once the step has ended, and 204 when there is nothing (more).
* `GET /api/private/output/raw/<vcs>/<org>/<repo>/<num>/output/<index>/<step>` (and
  `/error/`): the step's stdout (stderr) as plain text.

`profile="server"` has no v3 (404), as CircleCI Server has not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from ..api_context import ApiContext, ApiError
from ..auth import is_authorized
from ..content import parse_range, s3_error
from ..faults import Faults
from ..log_output import BytesBody, GeneratedLog, Stream, encode_lines, wire_time
from ..logs import ActionRecord, FakeLogs, StepRecord
from ..presign import Presigner
from ..records import FINISHED_JOB_STATUSES, JobRecord
from ..replies import Reply
from ..routing import Route

__all__ = ["OUTPUT_BUCKET", "OUTPUT_URL_TTL", "LogService", "log_routes", "output_path", "owns"]

OUTPUT_BUCKET = "circle-production-action-output"
OUTPUT_URL_TTL = 431_999
"""Lifetime of an `output_url` in seconds: about five days, as CircleCI signs them."""
_TEXT = "text/plain; charset=utf-8"
_V1_VCS = {"github": "gh", "gh": "gh", "bitbucket": "bb", "bb": "bb"}
_V1_NAMES = {"gh": "github", "bb": "bitbucket"}
_PROJECT = "{vcs}/{org}/{repo}"


class LogService:
    """Answers the log routes and the storage origin's output objects for one fake."""

    def __init__(
        self,
        logs: FakeLogs,
        *,
        presigner: Presigner,
        storage_url: Callable[[], str],
        faults: Faults,
        token: Callable[[], str],
        profile: str = "cloud",
    ) -> None:
        self.logs = logs
        self._presigner = presigner
        self._storage_url = storage_url
        self._faults = faults
        self._token = token
        self._profile = profile

    # v1.1 ---------------------------------------------------------------------------------

    async def job_details_v1(self, ctx: ApiContext) -> Reply:
        """GET /api/v1.1/project/<vcs>/<org>/<repo>/<num>: the job with its steps."""
        job = self._job_v1(ctx)
        return Reply.json(200, self._render_v1(job))

    def _job_v1(self, ctx: ApiContext) -> JobRecord:
        vcs = _V1_VCS.get(ctx.params["vcs"])
        if vcs is None:
            raise ApiError(404, "Project not found")
        slug = f"{vcs}/{ctx.params['org']}/{ctx.params['repo']}"
        number = ctx.int_param("job-number")
        job = ctx.state.job(slug, number)
        if job is None:
            raise ApiError(404, "Build not found")
        return job

    def _render_v1(self, job: JobRecord) -> dict[str, Any]:
        state = self.logs.state
        project = state.projects[job.project_slug]
        pipeline = state.pipelines.get(job.pipeline_id)
        workflow = state.workflows.get(job.workflow_id)
        vcs, org, repo = project.slug.split("/")
        finished = job.status in FINISHED_JOB_STATUSES
        lifecycle = "finished" if finished else _LIFECYCLES.get(job.status, job.status)
        return {
            "build_num": job.number,
            "build_url": f"https://circleci.com/{vcs}/{org}/{repo}/{job.number}",
            "reponame": repo,
            "username": org,
            "vcs_type": _V1_NAMES.get(vcs, vcs),
            "vcs_url": project.vcs_url,
            "vcs_revision": None if pipeline is None else pipeline.revision,
            "vcs_tag": None if pipeline is None else pipeline.tag,
            "branch": None if pipeline is None else pipeline.branch,
            "subject": None if pipeline is None else pipeline.commit_subject,
            "body": None if pipeline is None else pipeline.commit_body,
            "status": job.status,
            "outcome": job.status if finished else None,
            "lifecycle": lifecycle,
            "failed": job.status == "failed" if finished else None,
            "timedout": job.status == "timedout",
            "infrastructure_fail": job.status == "infrastructure_fail",
            "canceled": job.status == "canceled",
            "parallel": job.parallelism,
            "queued_at": _time(job.queued_at),
            "start_time": _time(job.started_at),
            "stop_time": _time(job.stopped_at),
            "build_time_millis": job.duration_ms,
            "why": "api",
            "job_name": None,
            "fail_reason": None,
            "retry_of": None,
            "retries": None,
            "previous": None,
            "canceler": None,
            "messages": [],
            "oss": False,
            "platform": "2.0",
            "has_artifacts": bool(job.artifacts),
            "picard": {
                "resource_class": {"class": job.resource_class},
                "executor": job.executor_type,
            },
            "workflows": {
                "job_name": job.name,
                "job_id": job.id,
                "workflow_id": job.workflow_id,
                "workspace_id": job.workflow_id,
                "workflow_name": None if workflow is None else workflow.name,
                "upstream_job_ids": list(job.dependencies),
                "upstream_concurrency_map": {},
            },
            "steps": [self._render_step(job, step) for step in self.logs.steps(job)],
        }

    def _render_step(self, job: JobRecord, step: StepRecord) -> dict[str, Any]:
        return {
            "name": step.name,
            "actions": [self._render_action(job, action) for action in step.actions],
        }

    def _render_action(self, job: JobRecord, action: ActionRecord) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "index": action.index,
            "step": action.step,
            "name": action.name,
            "status": action.status,
            "failed": action.failed,
            "timedout": action.timedout,
            "infrastructure_fail": action.infrastructure_fail,
            "canceled": action.canceled,
            "exit_code": action.exit_code,
            "start_time": _time(action.start_time),
            "end_time": _time(action.end_time),
            "run_time_millis": action.run_time_millis,
            "has_output": action.has_output,
            "truncated": False,
            "parallel": action.parallel,
            "background": False,
            "insignificant": False,
            "continue": None,
            "type": "test",
            "bash_command": action.bash_command,
            "allocation_id": f"{job.id}-{action.index}-build/{action.step:04X}",
        }
        if action.has_output:
            rendered["output_url"] = self.output_url(action)
        return rendered

    def output_url(self, action: ActionRecord) -> str:
        """The pre-signed storage URL of the action's output (expired if a fault says so)."""
        path = output_path(action.job_id, action.step, action.index)
        issued = None
        if self._faults.take_expired_log_url():
            issued = self.logs.state.now().replace(year=2000)
        query = self._presigner.query(path, expires_in=OUTPUT_URL_TTL, issued_at=issued)
        return f"{self._storage_url()}{path}?{query}"

    def serve_output(self, request: web.BaseRequest) -> Reply:
        """The storage origin's answer for an output object: the JSON array, or S3's errors.

        Like S3, an `Authorization` header beside the signed query is a 400.
        """
        if request.method not in ("GET", "HEAD"):
            return s3_error(405, "MethodNotAllowed", "The specified method is not allowed.")
        if "Authorization" in request.headers:
            return s3_error(400, "InvalidArgument", "Only one auth mechanism allowed.")
        path = request.rel_url.raw_path
        problem = self._presigner.problem(path, request.query)
        if problem is not None:
            return s3_error(403, *problem)
        found = self._action_at(path)
        if found is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        body = _json_body(found)
        return Reply(200, {"Content-Type": "application/json"}, body)

    def _action_at(self, path: str) -> ActionRecord | None:
        bucket, _, key = path.lstrip("/").partition("/")
        job_id, _, rest = key.rpartition("-step-")
        step, _, index = rest.partition("-")
        if bucket != OUTPUT_BUCKET or not (step.isdigit() and index.isdigit()):
            return None
        job = self.logs.state.jobs.get(job_id)
        return None if job is None else self.logs.action(job, int(step), int(index))

    # v3 -----------------------------------------------------------------------------------

    async def job_v3(self, ctx: ApiContext) -> Reply:
        """GET /api/v3/jobs/<job-id>: the job with its parallel executions and their steps."""
        job = self._job_v3(ctx)
        executions: dict[int, list[dict[str, Any]]] = {
            index: [] for index in range(max(job.parallelism, 1))
        }
        for step in self.logs.steps(job):
            for action in step.actions:
                executions[action.index].append(
                    {
                        "num": action.step,
                        "name": action.name,
                        "status": action.status,
                        "exit_code": action.exit_code,
                        "started_at": _time(action.start_time),
                        "stopped_at": _time(action.end_time),
                    }
                )
        attributes = {
            "number": job.number,
            "name": job.name,
            "status": job.status,
            "project_slug": job.project_slug,
            "started_at": _time(job.started_at),
            "stopped_at": _time(job.stopped_at),
            "parallel_executions": [
                {"index": index, "steps": steps} for index, steps in executions.items()
            ],
        }
        return Reply.json(200, {"data": {"id": job.id, "type": "job", "attributes": attributes}})

    async def stdout_v3(self, ctx: ApiContext) -> Reply:
        """GET /api/v3/jobs/<job-id>/stdout: the step's standard output, raw."""
        return self._raw_v3(ctx, "out")

    async def stderr_v3(self, ctx: ApiContext) -> Reply:
        """GET /api/v3/jobs/<job-id>/stderr: the step's standard error, raw."""
        return self._raw_v3(ctx, "err")

    def _job_v3(self, ctx: ApiContext) -> JobRecord:
        if self._profile != "cloud":
            raise ApiError(404, "Not found")
        scheme, _, _ = ctx.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not is_authorized(
            {"Authorization": ctx.request.headers["Authorization"]}, self._token()
        ):
            raise ApiError(401, "API v3 takes a bearer token: Authorization: Bearer <token>.")
        job = ctx.state.jobs.get(ctx.params["job-id"])
        if job is None or job.number is None:
            raise ApiError(404, "Job not found")
        return job

    def _raw_v3(self, ctx: ApiContext, stream: Stream) -> Reply:
        job = self._job_v3(ctx)
        execution = ctx.query.get("filter[execution]", "0")
        step = ctx.query.get("filter[step_num]")
        if step is None:
            raise ApiError(400, "filter[step_num] is required.")
        if not (execution.isdigit() and step.isdigit()):
            raise ApiError(400, "filter[execution] and filter[step_num] must be integers.")
        action = self.logs.action(job, int(step), int(execution))
        if action is None:
            raise ApiError(404, "Step not found")
        headers = {"Content-Type": _TEXT}
        if action.finished:
            headers["X-Terminal"] = "true"
        body = _text_body(action, stream)
        wanted = parse_range(ctx.request.headers.get("Range"), body.length)
        if wanted == "unsatisfiable" or body.length == 0:
            return Reply(204, headers)
        if isinstance(wanted, tuple):
            start, end = wanted
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{body.length}"
            return Reply(206, headers, body.slice(start, end))
        return Reply(200, headers, body)

    # private ------------------------------------------------------------------------------

    async def raw_output(self, ctx: ApiContext) -> Reply:
        """GET /api/private/output/raw/<slug>/<num>/output/<index>/<step>: stdout as text."""
        return self._raw_private(ctx, "out")

    async def raw_error(self, ctx: ApiContext) -> Reply:
        """GET /api/private/output/raw/<slug>/<num>/error/<index>/<step>: stderr as text."""
        return self._raw_private(ctx, "err")

    def _raw_private(self, ctx: ApiContext, stream: Stream) -> Reply:
        job = self._job_v1(ctx)
        index, step = ctx.int_param("index"), ctx.int_param("step")
        action = self.logs.action(job, step, index)
        if action is None:
            raise ApiError(404, "Step not found")
        return Reply(200, {"Content-Type": _TEXT}, _text_body(action, stream))


_LIFECYCLES = {
    "running": "running",
    "queued": "queued",
    "not_run": "not_run",
    "blocked": "not_running",
    "not_running": "not_running",
    "on_hold": "not_running",
}


def output_path(job_id: str, step: int, index: int) -> str:
    """URL path of an action's output object on the storage origin."""
    return f"/{OUTPUT_BUCKET}/{quote(job_id)}-step-{step}-{index}"


def owns(path: str) -> bool:
    """Whether a storage path names an output object (rather than an artifact)."""
    return path.startswith(f"/{OUTPUT_BUCKET}/")


def _time(moment: Any) -> str | None:
    return None if moment is None else wire_time(moment)


def _json_body(action: ActionRecord) -> BytesBody | GeneratedLog:
    if action.generated is not None:
        return GeneratedLog.of_size(action.generated, action.start_time)
    return BytesBody(encode_lines(action.lines))


def _text_body(action: ActionRecord, stream: Stream) -> BytesBody | GeneratedLog:
    if action.generated is not None:
        size = action.generated if stream == "out" else 0
        return GeneratedLog.of_size(size, action.start_time, raw=True)
    return BytesBody("".join(line.message for line in action.stream(stream)).encode())


def log_routes(service: LogService) -> tuple[Route, ...]:
    """The routes of `service`, with full paths (not below `/api/v2`)."""
    v1 = f"/api/v1.1/project/{_PROJECT}/{{job-number}}"
    raw = f"/api/private/output/raw/{_PROJECT}/{{job-number}}"
    return (
        Route("GET", v1, "v1.1:getJobDetails", service.job_details_v1),
        Route("GET", "/api/v3/jobs/{job-id}", "v3:getJob", service.job_v3),
        Route("GET", "/api/v3/jobs/{job-id}/stdout", "v3:getJobStdout", service.stdout_v3),
        Route("GET", "/api/v3/jobs/{job-id}/stderr", "v3:getJobStderr", service.stderr_v3),
        Route("GET", f"{raw}/output/{{index}}/{{step}}", "private:getStepOutput",
              service.raw_output),
        Route("GET", f"{raw}/error/{{index}}/{{step}}", "private:getStepError",
              service.raw_error),
    )  # fmt: skip
