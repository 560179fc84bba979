"""`OPERATIONS`: which method implements each spec operationId."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .endpoints import Endpoint
from .services import SERVICES

__all__ = ["ENDPOINTS", "OPERATIONS"]


def _scan() -> tuple[dict[str, str], dict[str, Endpoint]]:
    paths: dict[str, str] = {}
    endpoints: dict[str, Endpoint] = {}
    for service in SERVICES:
        for attribute, member in vars(service).items():
            endpoint = getattr(member, "__circleci_endpoint__", None)
            if not isinstance(endpoint, Endpoint):
                continue
            if endpoint.operation_id in paths:
                raise RuntimeError(f"{endpoint.operation_id} is implemented twice")
            paths[endpoint.operation_id] = f"{service.name}.{attribute}"
            endpoints[endpoint.operation_id] = endpoint
    return paths, endpoints


_paths, _endpoints = _scan()

OPERATIONS: Mapping[str, str] = MappingProxyType(dict(sorted(_paths.items())))
"""Spec operationId → `"service.method"` on a `CircleCI` client."""

ENDPOINTS: Mapping[str, Endpoint] = MappingProxyType(dict(sorted(_endpoints.items())))
"""Spec operationId → the `Endpoint` (HTTP method and path template) a method sends to."""
