"""Pipeline configs: outlined from a pipeline's workflows, compiled, and read back.

The fake has no YAML parser; `read_workflows` understands the block style CircleCI configs are
written in (`workflows:` → name → `jobs:` → `- job` items with `requires:` and `type:`).
"""

from __future__ import annotations

import attrs

from .records import PipelineRecord

__all__ = ["JobOutline", "compile_config", "outline_config", "read_workflows"]


@attrs.frozen
class JobOutline:
    """A job of a workflow in a config: its name, the jobs it requires, whether it is approval."""

    name: str
    requires: tuple[str, ...] = ()
    approval: bool = False


def outline_config(pipeline: PipelineRecord) -> str:
    """A version 2.1 config with the pipeline's workflows, their jobs and dependencies."""
    lines = ["version: 2.1", "", "jobs:"]
    seen: set[str] = set()
    for workflow in pipeline.workflows:
        for job in workflow.jobs:
            if job.type == "build" and job.name not in seen:
                seen.add(job.name)
                lines += [
                    f"  {job.name}:",
                    "    docker:",
                    "      - image: cimg/base:stable",
                    f"    resource_class: {job.resource_class}",
                    "    steps:",
                    "      - checkout",
                    f"      - run: make {job.name}",
                ]
    lines += ["", "workflows:"]
    written: set[str] = set()
    for workflow in pipeline.workflows:
        if workflow.name in written:
            continue
        written.add(workflow.name)
        names = {job.id: job.name for job in workflow.jobs}
        lines += [f"  {workflow.name}:", "    jobs:"]
        for job in workflow.jobs:
            if job.type == "build" and not job.dependencies:
                lines.append(f"      - {job.name}")
                continue
            lines.append(f"      - {job.name}:")
            if job.type == "approval":
                lines.append("          type: approval")
            if job.dependencies:
                lines.append("          requires:")
                lines += [f"            - {names.get(dep, dep)}" for dep in job.dependencies]
    return "\n".join(lines) + "\n"


def compile_config(source: str) -> str:
    """The config as CircleCI runs it: version 2, marked as compiled."""
    body = source.replace("version: 2.1", "version: 2", 1)
    return f"# Compiled by the fake CircleCI.\n{body}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key(line: str) -> str:
    return line.strip().removeprefix("- ").rstrip(":").strip()


def read_workflows(config: str) -> dict[str, list[JobOutline]]:
    """The workflows of a config, each with its jobs, in the order written."""
    lines = [
        line.rstrip()
        for line in config.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    try:
        start = lines.index("workflows:") + 1
    except ValueError:
        return {}
    section: list[str] = []
    for line in lines[start:]:
        if _indent(line) == 0:
            break
        section.append(line)
    workflows: dict[str, list[JobOutline]] = {}
    if not section:
        return workflows
    level = _indent(section[0])
    current: list[str] = []
    name = ""
    for line in [*section, " " * level + "end-of-workflows:"]:
        if _indent(line) == level:
            if name and name != "version":
                workflows[name] = _jobs(current)
            name, current = _key(line), []
        else:
            current.append(line)
    return workflows


def _jobs(lines: list[str]) -> list[JobOutline]:
    """The `jobs:` list of one workflow's lines."""
    heads = [i for i, line in enumerate(lines) if line.strip() == "jobs:"]
    if not heads:
        return []
    body = lines[heads[0] + 1 :]
    items = [i for i, line in enumerate(body) if line.lstrip().startswith("- ")]
    if not items:
        return []
    level = _indent(body[items[0]])
    starts = [i for i in items if _indent(body[i]) == level]
    jobs: list[JobOutline] = []
    for index, begin in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(body)
        details = body[begin + 1 : end]
        requires = tuple(_key(line) for line in details if line.lstrip().startswith("- "))
        approval = any(line.strip() == "type: approval" for line in details)
        jobs.append(JobOutline(_key(body[begin]), requires, approval))
    return jobs
