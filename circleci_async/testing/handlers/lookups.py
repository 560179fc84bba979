"""Finding what a request names, or answering 404 in the words of the operation."""

from __future__ import annotations

from typing import TypeVar

from ..api_context import ApiContext, ApiError
from ..org_records import OrganizationRecord
from ..records import ProjectRecord

__all__ = ["found", "organization", "project_by_id"]

T = TypeVar("T")


def found(value: T | None, what: str) -> T:
    """`value`, or a 404 saying `what` was not found."""
    if value is None:
        raise ApiError(404, f"{what} not found.")
    return value


def organization(ctx: ApiContext, param: str) -> OrganizationRecord:
    """The organization a path parameter names by id or slug, or 404."""
    return found(ctx.state.organization(ctx.params[param]), "Organization")


def project_by_id(ctx: ApiContext, param: str = "project_id") -> ProjectRecord:
    """The project a path parameter names by id, or 404."""
    return found(ctx.state.project_by_id(ctx.params[param]), "Project")
