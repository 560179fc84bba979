"""Handlers of the Pipeline tag about a pipeline's config: config, values, continue, run.

`triggerPipelineRun` builds the head commit of the checkout branch or tag (see
`FakeState.push_commit`). When that commit's message holds `[ci skip]` or `[skip ci]`, no
pipeline is created and the answer is 200 `{"message": ...}`; otherwise 201 with the new
pipeline. A `definition_id` that is not one of the project's pipeline definitions is a 404
(without one, the project's first definition is used, if it has any); `parameters` must be
strings, integers or booleans, as pipeline parameters are.
"""

from __future__ import annotations

from typing import Any

from ..api_context import ApiContext, ApiError
from ..configs import compile_config, outline_config, read_workflows
from ..lifecycle import start_workflow
from ..records import PipelineRecord
from ..renderers import pipeline_creation_json
from ..replies import Reply
from .bodies import Body
from .lookups import found
from .pipelines import pipeline

__all__ = [
    "SKIP_MARKERS",
    "continue_pipeline",
    "get_pipeline_config",
    "get_pipeline_values",
    "trigger_pipeline_run",
]

SKIP_MARKERS = ("[ci skip]", "[skip ci]")
"""A commit whose subject or body holds one of these is not built."""
_REF_FIELDS = ("branch", "tag")
_PROVIDERS = frozenset({"github", "gh", "bitbucket", "bb", "circleci"})


async def get_pipeline_config(ctx: ApiContext) -> Reply:
    """GET /pipeline/{pipeline-id}/config: as written (outlined when unknown) and compiled."""
    found_pipeline = pipeline(ctx)
    source = found_pipeline.config or outline_config(found_pipeline)
    body = {"source": source, "compiled": compile_config(source)}
    if found_pipeline.setup_config is not None:
        body["setup-config"] = found_pipeline.setup_config
        body["compiled-setup-config"] = compile_config(found_pipeline.setup_config)
    return Reply.json(200, body)


async def get_pipeline_values(ctx: ApiContext) -> Reply:
    """GET /pipeline/{pipeline-id}/values: the `pipeline.*` values a config can use."""
    found_pipeline = pipeline(ctx)
    project = ctx.state.projects[found_pipeline.project_slug]
    values: dict[str, Any] = {
        "pipeline.id": found_pipeline.id,
        "pipeline.number": found_pipeline.number,
        "pipeline.project.git_url": project.vcs_url,
        "pipeline.project.type": project.provider.lower(),
        "pipeline.git.revision": found_pipeline.revision or "",
        "pipeline.git.branch": found_pipeline.branch or "",
        "pipeline.git.tag": found_pipeline.tag or "",
        "pipeline.in_setup": found_pipeline.continuation_key is not None,
        "pipeline.trigger_source": found_pipeline.trigger_type,
        "pipeline.trigger_parameters.circleci.actor_id": found_pipeline.actor.id,
    }
    return Reply.json(200, values)


async def continue_pipeline(ctx: ApiContext) -> Reply:
    """POST /pipeline/continue: run the workflows of `configuration` in a pipeline in setup.

    The continuation key works once; an unknown or used one answers 404.
    """
    body = await Body.read(ctx, fields=("continuation-key", "configuration", "parameters"))
    key = body.need_text("continuation-key")
    configuration = body.need_text("configuration")
    parameters = body.parameters("parameters") or {}
    waiting = next(
        (item for item in ctx.state.pipelines.values() if item.continuation_key == key), None
    )
    continued: PipelineRecord = found(waiting, "Continuation key")
    workflows = read_workflows(configuration)
    if not workflows:
        raise ApiError(400, "The configuration defines no workflows.")
    continued.setup_config = continued.config or outline_config(continued)
    continued.config = configuration
    continued.continuation_key = None
    continued.state = "created"
    continued.parameters.update(parameters)
    for name, jobs in workflows.items():
        start_workflow(ctx.state, continued, name, jobs)
    return Reply.json(200, {"message": "Pipeline continued."})


def _ref(body: Body, key: str, *, extra: tuple[str, ...] = ()) -> tuple[str | None, str | None]:
    """The branch or tag of `config` or `checkout`; `extra` names other fields it may hold.

    `config` may also hold `content` (a config to run), which the live API accepts and the
    spec does not (`live_api.LIVE_DEVIATIONS`); it must be a string.
    """
    ref = body.obj(key, fields=(*_REF_FIELDS, *extra))
    if ref is None:
        return None, None
    for name in extra:
        ref.text(name)
    branch, tag = ref.text("branch", empty=False), ref.text("tag", empty=False)
    if branch is not None and tag is not None:
        raise ApiError(400, f"{key} takes a branch or a tag, not both.")
    return branch, tag


async def trigger_pipeline_run(ctx: ApiContext) -> Reply:
    """POST /project/{provider}/{organization}/{project}/pipeline/run (see the module doc)."""
    if ctx.params["provider"] not in _PROVIDERS:
        raise ApiError(400, f"Unsupported provider {ctx.params['provider']!r}.")
    slug = "/".join(ctx.params[part] for part in ("provider", "organization", "project"))
    project = found(ctx.state.project(slug), "Project")
    body = await Body.read(ctx, fields=("definition_id", "config", "checkout", "parameters"))
    definitions = [
        item for item in ctx.state.pipeline_definitions.values() if item.project_id == project.id
    ]
    definition_id = body.text("definition_id")
    if definition_id is not None:
        found(
            next((item for item in definitions if item.id == definition_id), None),
            "Pipeline definition",
        )
    elif definitions:
        definition_id = definitions[0].id
    _ref(body, "config", extra=("content",))
    branch, tag = _ref(body, "checkout")
    parameters = body.parameters("parameters") or {}
    head = ctx.state.head_commit(project, branch=branch, tag=tag)
    message = f"{head.subject}\n{head.body}".lower()
    marker = next((mark for mark in SKIP_MARKERS if mark in message), None)
    if marker is not None:
        return Reply.json(
            200, {"message": f"Pipeline not triggered: the commit message holds {marker}."}
        )
    created = ctx.state.add_pipeline(
        project.slug,
        branch=branch,
        tag=tag,
        trigger_type="api",
        revision=head.revision,
        commit_subject=head.subject,
        commit_body=head.body,
        parameters=parameters,
    )
    created.definition_id = definition_id
    return Reply.json(201, pipeline_creation_json(created))
