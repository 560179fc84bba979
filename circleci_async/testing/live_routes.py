"""Routes of the endpoints outside API v2's spec that real clients call (see `live_api`).

Their templates are whole paths (`/api/v1.1/me`), and each route's operation name is the
method and path of its `LIVE_DEVIATIONS` entry. The server tries them after the spec's routes.
"""

from __future__ import annotations

from .handlers import live
from .routing import Route, Router

__all__ = ["LIVE_ROUTES", "live_router"]

LIVE_ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/private/me/followed-projects", "GET /api/private/me/followed-projects",
          live.get_followed_projects),
    Route("GET", "/api/v1.1/me", "GET /api/v1.1/me", live.get_v1_user),
    Route("GET", "/api/v1.1/project/{vcs-type}/{org}/{repo}",
          "GET /api/v1.1/project/:vcs-type/:org/:repo", live.get_project_recent_jobs),
    Route("POST", "/api/v2/compile-config-with-defaults",
          "POST /api/v2/compile-config-with-defaults", live.compile_config_with_defaults),
)  # fmt: skip
"""The endpoints the fake serves that the spec lacks, each listed in `live_api`."""


def live_router() -> Router:
    """A router with every route in `LIVE_ROUTES`."""
    return Router(LIVE_ROUTES)
