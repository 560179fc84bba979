"""`OrgState`: organizations, their users, and their deploy environments and components."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from .deploy_records import ComponentRecord, ComponentVersionRecord, EnvironmentRecord
from .org_records import OrganizationRecord, VcsTypeValue
from .records import JobRecord, ProjectRecord, UserRecord
from .store import Store, canonical_slug, is_uuid

__all__ = ["OrgState"]

_SLUG_VCS: dict[str, VcsTypeValue] = {"gh": "github", "bb": "bitbucket", "circleci": "circleci"}
_VCS_SLUG = {vcs_type: prefix for prefix, vcs_type in _SLUG_VCS.items()}


class OrgState(Store):
    """The store plus factories and lookups of organizations and what belongs to them."""

    # Organizations and users --------------------------------------------------------------

    def add_organization(
        self,
        name: str,
        *,
        vcs_type: VcsTypeValue = "github",
        slug: str | None = None,
        org_id: str | None = None,
    ) -> OrganizationRecord:
        """Create an organization; its slug is `gh/<name>`, `bb/<name>` or `circleci/<id>`."""
        if vcs_type not in _VCS_SLUG:
            raise ValueError(f"vcs_type {vcs_type!r} is not one of {sorted(_VCS_SLUG)}")
        org_id = org_id or self.new_id()
        if slug is None:
            slug = (
                f"circleci/{org_id}" if vcs_type == "circleci" else f"{_VCS_SLUG[vcs_type]}/{name}"
            )
        slug = canonical_slug(slug)
        if self.organization(slug) is not None or org_id in self.organizations:
            raise ValueError(f"organization {slug!r} already exists")
        organization = OrganizationRecord(
            id=org_id,
            name=name,
            slug=slug,
            vcs_type=vcs_type,
            avatar_url=f"https://avatars.example.com/{slug}.png",
        )
        self.organizations[org_id] = organization
        return organization

    def organization(self, slug_or_id: str) -> OrganizationRecord | None:
        """The organization with this id, or this slug (`gh/acme`, `github/acme` accepted)."""
        found = self.organizations.get(slug_or_id)
        if found is not None:
            return found
        slug = canonical_slug(slug_or_id)
        return next((org for org in self.organizations.values() if org.slug == slug), None)

    def organization_of(self, project: ProjectRecord) -> OrganizationRecord:
        """The organization a project belongs to."""
        return self.organizations[project.organization_id]

    def projects_of(self, organization: OrganizationRecord) -> list[ProjectRecord]:
        """The projects of an organization, in creation order."""
        return [p for p in self.projects.values() if p.organization_id == organization.id]

    def project_by_id(self, project_id: str) -> ProjectRecord | None:
        """The project with this id."""
        return next((p for p in self.projects.values() if p.id == project_id), None)

    def add_user(
        self, login: str, *, name: str | None = None, avatar_url: str | None = None
    ) -> UserRecord:
        """Create another user (the token's user is `user`)."""
        user = UserRecord(id=self.new_id(), login=login, name=name or login, avatar_url=avatar_url)
        self.users[user.id] = user
        return user

    # Deploys ------------------------------------------------------------------------------

    def add_environment(
        self,
        org_id: str,
        name: str,
        *,
        description: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> EnvironmentRecord:
        """Create a deploy environment in an organization."""
        if org_id not in self.organizations:
            raise KeyError(f"no organization {org_id!r}")
        now = self.now()
        environment = EnvironmentRecord(
            id=self.new_id(),
            org_id=org_id,
            name=name,
            description=description,
            labels=dict(labels or {}),
            created_at=now,
            updated_at=now,
        )
        self.environments[environment.id] = environment
        return environment

    def add_component(
        self, project_slug: str, name: str, *, labels: Mapping[str, str] | None = None
    ) -> ComponentRecord:
        """Create a deployable component of a project."""
        project = self.projects[canonical_slug(project_slug)]
        now = self.now()
        component = ComponentRecord(
            id=self.new_id(),
            org_id=project.organization_id,
            project_id=project.id,
            name=name,
            labels=dict(labels or {}),
            created_at=now,
            updated_at=now,
        )
        self.components[component.id] = component
        return component

    def add_component_version(
        self,
        component_id: str,
        environment_id: str,
        name: str,
        *,
        namespace: str = "default",
        job: JobRecord | None = None,
        deployed_at: datetime | None = None,
        live: bool = True,
    ) -> ComponentVersionRecord:
        """Record that version `name` of a component was deployed to an environment.

        A live version replaces the one live before it in that environment and namespace.
        `job` is the job that deployed it.
        """
        component = self.components[component_id]
        if environment_id not in self.environments:
            raise KeyError(f"no environment {environment_id!r}")
        if live:
            for version in component.versions:
                if (version.environment_id, version.namespace) == (environment_id, namespace):
                    version.is_live = False
        version = ComponentVersionRecord(
            name=name,
            environment_id=environment_id,
            namespace=namespace,
            is_live=live,
            last_deployed_at=deployed_at or self.now(),
            pipeline_id=None if job is None else job.pipeline_id,
            workflow_id=None if job is None else job.workflow_id,
            job_id=None if job is None else job.id,
            job_number=None if job is None else job.number,
        )
        component.versions.insert(0, version)
        component.updated_at = version.last_deployed_at
        return version

    def _organization_for(self, vcs: str, org: str, name: str) -> OrganizationRecord:
        """The organization of a new project's slug, created on first use.

        One id is drawn whether or not it exists (as before organizations were records), so
        the ids of seeded data do not change.
        """
        fresh = self.new_id()
        existing = self.organization(f"{vcs}/{org}")
        if existing is not None:
            return existing
        org_id = org if vcs == "circleci" and is_uuid(org) else fresh
        return self.add_organization(
            name, vcs_type=self.vcs_type_of(vcs), slug=f"{vcs}/{org}", org_id=org_id
        )

    def vcs_type_of(self, slug_prefix: str) -> VcsTypeValue:
        """The organization VCS type of a slug's first part (`gh` → `github`)."""
        return _SLUG_VCS[slug_prefix]
