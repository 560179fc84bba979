"""Which hosts may receive the token when an artifact is downloaded."""

from __future__ import annotations

from collections.abc import Iterable

from yarl import URL

from ..errors import ConfigurationError

__all__ = ["DEFAULT_ARTIFACT_HOSTS", "TrustedHosts"]

DEFAULT_ARTIFACT_HOSTS: tuple[str, ...] = ("*.circle-artifacts.com",)
"""CircleCI's artifact hosts; the API host of the client is always trusted as well."""


def _normalise(host: str) -> str:
    return host.strip().lower().rstrip(".")


class TrustedHosts:
    """Host names that may receive the token: exact names, and `*.domain` for any subdomain.

    `*.circle-artifacts.com` matches `output.circle-artifacts.com` but neither
    `circle-artifacts.com` itself nor `circle-artifacts.com.example.org`. Ports and schemes
    are not part of a pattern.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        exact: set[str] = set()
        suffixes: set[str] = set()
        self._patterns = (patterns,) if isinstance(patterns, str) else tuple(patterns)
        for pattern in self._patterns:
            if not isinstance(pattern, str):
                raise ConfigurationError(
                    f"artifact hosts are strings, not {type(pattern).__name__}"
                )
            name = _normalise(pattern)
            bare = name.removeprefix("*.")
            if not bare or any(c in bare for c in "*/:@ ") or bare.startswith("."):
                raise ConfigurationError(
                    f"artifact host {pattern!r} is not a host name or a '*.domain' pattern"
                )
            (suffixes if name.startswith("*.") else exact).add(bare)
        self._exact = frozenset(exact)
        self._suffixes = tuple(sorted("." + suffix for suffix in suffixes))

    def including(self, host: str) -> TrustedHosts:
        """These hosts and `host`."""
        return TrustedHosts([*self._patterns, host])

    def allows(self, url: URL) -> bool:
        """Whether `url` is http(s) on a trusted host."""
        if url.scheme not in ("http", "https") or not url.host:
            return False
        host = _normalise(url.host)
        return host in self._exact or host.endswith(self._suffixes)

    def __repr__(self) -> str:
        names = sorted(self._exact) + ["*" + suffix for suffix in self._suffixes]
        return f"TrustedHosts({names!r})"
