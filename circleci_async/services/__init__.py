"""One service per spec tag; each method implements one spec operation."""

from .base import Service
from .jobs import JobsService
from .pipelines import PipelinesService
from .projects import ProjectsService
from .users import UsersService
from .workflows import WorkflowsService

SERVICES: tuple[type[Service], ...] = (
    UsersService,
    PipelinesService,
    WorkflowsService,
    JobsService,
    ProjectsService,
)
"""Every service class, in the order the client exposes them."""

__all__ = [
    "SERVICES",
    "JobsService",
    "PipelinesService",
    "ProjectsService",
    "Service",
    "UsersService",
    "WorkflowsService",
]
