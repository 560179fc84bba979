"""One service per spec tag; each method implements one spec operation."""

from .base import Service
from .contexts import ContextsService
from .deploys import DeploysService
from .groups import GroupsService
from .insights import InsightsService
from .jobs import JobsService
from .oidc import OidcService
from .organizations import OrganizationsService
from .pipeline_definitions import PipelineDefinitionsService
from .pipelines import PipelinesService
from .policies import PoliciesService
from .projects import ProjectsService
from .raw import RawService
from .rollbacks import RollbacksService
from .schedules import SchedulesService
from .triggers import TriggersService
from .usage import UsageService
from .users import UsersService
from .webhooks import WebhooksService
from .workflows import WorkflowsService

SERVICES: tuple[type[Service], ...] = (
    UsersService,
    PipelinesService,
    WorkflowsService,
    JobsService,
    ProjectsService,
    ContextsService,
    InsightsService,
    SchedulesService,
    WebhooksService,
    OidcService,
    PoliciesService,
    OrganizationsService,
    GroupsService,
    PipelineDefinitionsService,
    TriggersService,
    DeploysService,
    RollbacksService,
    UsageService,
)
"""Every service class, in the order the client exposes them."""

__all__ = [
    "SERVICES",
    "ContextsService",
    "DeploysService",
    "GroupsService",
    "InsightsService",
    "JobsService",
    "OidcService",
    "OrganizationsService",
    "PipelineDefinitionsService",
    "PipelinesService",
    "PoliciesService",
    "ProjectsService",
    "RawService",
    "RollbacksService",
    "SchedulesService",
    "Service",
    "TriggersService",
    "UsageService",
    "UsersService",
    "WebhooksService",
    "WorkflowsService",
]
