"""The `projects` service."""

from __future__ import annotations

from .. import checks as check
from ..endpoints import Endpoint
from ..models import (
    AdvancedSettings,
    CheckoutKey,
    CheckoutKeyDigest,
    CheckoutKeyInputType,
    EnvironmentVariable,
    Message,
    Project,
    ProjectSettings,
)
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["ProjectsService"]

GET_BY_SLUG = Endpoint("getProjectBySlug", "GET", "/project/{project-slug}")
CREATE = Endpoint("createProject", "POST", "/organization/{org-slug-or-id}/project")
DELETE = Endpoint("deleteProjectBySlug", "DELETE", "/project/{project-slug}")
CREATE_FROM_SLUG = Endpoint(
    "createProject1", "POST", "/project/{provider}/{organization}/{project}"
)
GET_SETTINGS = Endpoint(
    "getProjectSettings", "GET", "/project/{provider}/{organization}/{project}/settings"
)
UPDATE_SETTINGS = Endpoint(
    "patchProjectSettings", "PATCH", "/project/{provider}/{organization}/{project}/settings"
)
LIST_CHECKOUT_KEYS = Endpoint("listCheckoutKeys", "GET", "/project/{project-slug}/checkout-key")
CREATE_CHECKOUT_KEY = Endpoint("createCheckoutKey", "POST", "/project/{project-slug}/checkout-key")
GET_CHECKOUT_KEY = Endpoint(
    "getCheckoutKey", "GET", "/project/{project-slug}/checkout-key/{fingerprint}"
)
DELETE_CHECKOUT_KEY = Endpoint(
    "deleteCheckoutKey", "DELETE", "/project/{project-slug}/checkout-key/{fingerprint}"
)
LIST_ENV_VARS = Endpoint("listEnvVars", "GET", "/project/{project-slug}/envvar")
CREATE_ENV_VAR = Endpoint("createEnvVar", "POST", "/project/{project-slug}/envvar")
GET_ENV_VAR = Endpoint("getEnvVar", "GET", "/project/{project-slug}/envvar/{name}")
DELETE_ENV_VAR = Endpoint("deleteEnvVar", "DELETE", "/project/{project-slug}/envvar/{name}")


def _project_path(project_slug: str) -> dict[str, str]:
    return {"project-slug": check.validate_project_slug(project_slug)}


def _key_path(project_slug: str, fingerprint: str) -> dict[str, str]:
    return {
        **_project_path(project_slug),
        "fingerprint": check.format_path_id(fingerprint, name="fingerprint"),
    }


def _env_var_path(project_slug: str, name: str) -> dict[str, str]:
    return {**_project_path(project_slug), "name": check.format_path_id(name, name="name")}


class ProjectsService(Service):
    """Projects: create and delete them; their settings, checkout keys and env vars."""

    name = "projects"

    @implements(GET_BY_SLUG)
    async def get(self, project_slug: str) -> Project:
        """A project by its slug."""
        return await self._call(
            GET_BY_SLUG, Project, path={"project-slug": check.validate_project_slug(project_slug)}
        )

    @implements(CREATE)
    async def create(
        self, org_slug_or_id: str, *, name: str, idempotent: bool | None = None
    ) -> Project:
        """Create a project in an organization (a slug such as `gh/org`, or its id)."""
        path = {"org-slug-or-id": check.org_slug_or_id(org_slug_or_id, "org_slug_or_id")}
        body = {"name": check.text(name, "name")}
        return await self._call(CREATE, Project, path=path, body=body, idempotent=idempotent)

    @implements(DELETE)
    async def delete(self, project_slug: str) -> Message:
        """Delete a project."""
        return await self._call(DELETE, Message, path=_project_path(project_slug))

    @implements(CREATE_FROM_SLUG)
    async def create_from_slug(
        self, project_slug: str, *, idempotent: bool | None = None
    ) -> ProjectSettings:
        """Set up a project for a repository by its slug; returns its default settings.

        Deprecated by CircleCI in favour of `create()`; the repository needs a main branch
        and a config file.
        """
        return await self._call(
            CREATE_FROM_SLUG,
            ProjectSettings,
            path=check.slug_parts(project_slug),
            idempotent=idempotent,
        )

    @implements(GET_SETTINGS)
    async def settings(self, project_slug: str) -> ProjectSettings:
        """A project's advanced settings (an experimental endpoint)."""
        return await self._call(GET_SETTINGS, ProjectSettings, path=check.slug_parts(project_slug))

    @implements(UPDATE_SETTINGS)
    async def update_settings(
        self,
        project_slug: str,
        *,
        advanced: AdvancedSettings,
        idempotent: bool | None = None,
    ) -> ProjectSettings:
        """Change the advanced settings given in `advanced` (None ones stay as they are)."""
        path = check.slug_parts(project_slug)
        body = {"advanced": check.record(advanced, AdvancedSettings, "advanced")}
        return await self._call(
            UPDATE_SETTINGS, ProjectSettings, path=path, body=body, idempotent=idempotent
        )

    @implements(LIST_CHECKOUT_KEYS)
    def checkout_keys(
        self,
        project_slug: str,
        *,
        digest: CheckoutKeyDigest | str | None = None,
        page_token: str | None = None,
    ) -> Paginator[CheckoutKey]:
        """A project's checkout keys; `digest` picks the fingerprint form (md5 by default)."""
        return self._paginate(
            LIST_CHECKOUT_KEYS,
            CheckoutKey,
            path=_project_path(project_slug),
            query={"digest": check.member(digest, CheckoutKeyDigest, "digest", optional=True)},
            page_token=page_token,
        )

    @implements(CREATE_CHECKOUT_KEY)
    async def create_checkout_key(
        self,
        project_slug: str,
        *,
        type: CheckoutKeyInputType | str,
        idempotent: bool | None = None,
    ) -> CheckoutKey:
        """Create a checkout key: a `deploy-key`, or a `user-key` (needs a user token)."""
        path = _project_path(project_slug)
        body = {"type": check.member(type, CheckoutKeyInputType, "type")}
        return await self._call(
            CREATE_CHECKOUT_KEY, CheckoutKey, path=path, body=body, idempotent=idempotent
        )

    @implements(GET_CHECKOUT_KEY)
    async def checkout_key(self, project_slug: str, fingerprint: str) -> CheckoutKey:
        """A checkout key by its md5 or sha256 fingerprint."""
        return await self._call(
            GET_CHECKOUT_KEY, CheckoutKey, path=_key_path(project_slug, fingerprint)
        )

    @implements(DELETE_CHECKOUT_KEY)
    async def delete_checkout_key(self, project_slug: str, fingerprint: str) -> Message:
        """Delete a checkout key by its md5 or sha256 fingerprint."""
        return await self._call(
            DELETE_CHECKOUT_KEY, Message, path=_key_path(project_slug, fingerprint)
        )

    @implements(LIST_ENV_VARS)
    def env_vars(
        self, project_slug: str, *, page_token: str | None = None
    ) -> Paginator[EnvironmentVariable]:
        """A project's environment variables, values masked."""
        return self._paginate(
            LIST_ENV_VARS,
            EnvironmentVariable,
            path=_project_path(project_slug),
            page_token=page_token,
        )

    @implements(CREATE_ENV_VAR)
    async def create_env_var(
        self,
        project_slug: str,
        *,
        name: str,
        value: str,
        idempotent: bool | None = None,
    ) -> EnvironmentVariable:
        """Create (or replace) a project environment variable."""
        path = _project_path(project_slug)
        body = {"name": check.text(name, "name"), "value": check.text(value, "value", empty=True)}
        return await self._call(
            CREATE_ENV_VAR, EnvironmentVariable, path=path, body=body, idempotent=idempotent
        )

    @implements(GET_ENV_VAR)
    async def env_var(self, project_slug: str, name: str) -> EnvironmentVariable:
        """A project environment variable by name, value masked."""
        return await self._call(
            GET_ENV_VAR, EnvironmentVariable, path=_env_var_path(project_slug, name)
        )

    @implements(DELETE_ENV_VAR)
    async def delete_env_var(self, project_slug: str, name: str) -> Message:
        """Delete a project environment variable."""
        return await self._call(DELETE_ENV_VAR, Message, path=_env_var_path(project_slug, name))
