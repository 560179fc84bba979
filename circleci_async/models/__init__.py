"""Typed response models, decoded from CircleCI's JSON by one cattrs converter."""

from .base import OpenEnum
from .converter import converter, decode, encode
from .jobs import (
    Artifact,
    JobContext,
    JobDetails,
    JobExecutor,
    JobMessage,
    JobOrganization,
    JobParallelRun,
    JobPipeline,
    JobProject,
    JobWorkflow,
    TestResult,
)
from .pipelines import (
    Pipeline,
    PipelineActor,
    PipelineCommit,
    PipelineCreation,
    PipelineError,
    PipelineErrorType,
    PipelineState,
    PipelineTrigger,
    PipelineVcs,
    TriggerType,
)
from .projects import Project, VcsInfo, VcsProvider
from .users import User
from .workflows import Job, JobStatus, JobType, Workflow, WorkflowStatus

__all__ = [
    "Artifact",
    "Job",
    "JobContext",
    "JobDetails",
    "JobExecutor",
    "JobMessage",
    "JobOrganization",
    "JobParallelRun",
    "JobPipeline",
    "JobProject",
    "JobStatus",
    "JobType",
    "JobWorkflow",
    "OpenEnum",
    "Pipeline",
    "PipelineActor",
    "PipelineCommit",
    "PipelineCreation",
    "PipelineError",
    "PipelineErrorType",
    "PipelineState",
    "PipelineTrigger",
    "PipelineVcs",
    "Project",
    "TestResult",
    "TriggerType",
    "User",
    "VcsInfo",
    "VcsProvider",
    "Workflow",
    "WorkflowStatus",
    "converter",
    "decode",
    "encode",
]
