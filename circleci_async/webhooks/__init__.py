"""CircleCI's outbound webhooks: verify, parse, and receive them in an aiohttp service.

    from circleci_async import webhooks

    webhooks.verify(body, request.headers.get("circleci-signature"), secret)  # or raises
    event = webhooks.parse(body, request.headers)  # WorkflowCompleted, JobCompleted, ...

`sign`, `verify` and `parse` are pure functions (no I/O). `WebhookReceiver` (also called
`receiver`) mounts into an `aiohttp.web.Application`, answers CircleCI at once, and hands
verified, de-duplicated events to an `async for` loop or an `on_event` callback.
`GuardedSite` serves it with a cap on connections and a deadline on request headers.
"""

from .dedupe import RecentIds
from .errors import (
    MalformedSignatureError,
    MissingSignatureError,
    PayloadError,
    SignatureError,
    SignatureMismatchError,
    WebhookError,
)
from .events import (
    EVENT_TYPE_HEADER,
    JOB_COMPLETED,
    WORKFLOW_COMPLETED,
    Event,
    JobCompleted,
    JobRef,
    OrganizationRef,
    PipelineRef,
    ProjectRef,
    UnknownEvent,
    VcsRef,
    WebhookRef,
    WorkflowCompleted,
    WorkflowRef,
    parse,
    read_payload,
)
from .loopback import is_loopback_url
from .receiver import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_UNVERIFIED_BYTES,
    ReceiverStats,
    Refusal,
    WebhookReceiver,
    receiver,
)
from .signature import SIGNATURE_HEADER, SigningKey, digest, sign, verify
from .site import ConnectionLimits, GuardedSite, runner_options

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_UNVERIFIED_BYTES",
    "EVENT_TYPE_HEADER",
    "JOB_COMPLETED",
    "SIGNATURE_HEADER",
    "WORKFLOW_COMPLETED",
    "ConnectionLimits",
    "Event",
    "GuardedSite",
    "JobCompleted",
    "JobRef",
    "MalformedSignatureError",
    "MissingSignatureError",
    "OrganizationRef",
    "PayloadError",
    "PipelineRef",
    "ProjectRef",
    "ReceiverStats",
    "RecentIds",
    "Refusal",
    "SignatureError",
    "SignatureMismatchError",
    "SigningKey",
    "UnknownEvent",
    "VcsRef",
    "WebhookError",
    "WebhookReceiver",
    "WebhookRef",
    "WorkflowCompleted",
    "WorkflowRef",
    "digest",
    "is_loopback_url",
    "parse",
    "read_payload",
    "receiver",
    "runner_options",
    "sign",
    "verify",
]
