"""Which hosts may receive the token when an artifact is downloaded."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from yarl import URL

from ..errors import ConfigurationError

__all__ = ["DEFAULT_ARTIFACT_HOSTS", "TrustedHosts"]

DEFAULT_ARTIFACT_HOSTS: tuple[str, ...] = ("*.circle-artifacts.com",)
"""CircleCI's artifact hosts; the API host of the client is always trusted as well."""


def _normalise(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_name(text: str) -> bool:
    return bool(text) and not text.startswith(".") and not any(c in text for c in "*/:@ ")


class TrustedHosts:
    """Host names that may receive the token: exact names, and `*.domain` for any subdomain.

    `*.circle-artifacts.com` matches `output.circle-artifacts.com` but neither
    `circle-artifacts.com` itself nor `circle-artifacts.com.example.org`. Ports are not part
    of a pattern. The token travels over https only, unless `plain_http` (the client's own
    API URL is http, as for a local test server). `origins` are trusted exactly, by scheme,
    host and port (the API's own origin: its host on another port is not trusted).
    """

    def __init__(
        self,
        patterns: Iterable[str],
        *,
        plain_http: bool = False,
        origins: Iterable[tuple[str, str, int]] = (),
    ) -> None:
        self.plain_http = plain_http
        self._origins = frozenset(
            (scheme, _normalise(host), port) for scheme, host, port in origins
        )
        exact: set[str] = set()
        suffixes: set[str] = set()
        self._patterns = (patterns,) if isinstance(patterns, str) else tuple(patterns)
        for pattern in self._patterns:
            if not isinstance(pattern, str):
                raise ConfigurationError(
                    f"artifact hosts are strings, not {type(pattern).__name__}"
                )
            name = _normalise(pattern).strip("[]")
            bare = name.removeprefix("*.")
            if not (_is_ip(bare) or _is_name(bare)):
                raise ConfigurationError(
                    f"artifact host {pattern!r} is not a host name or a '*.domain' pattern"
                )
            (suffixes if name.startswith("*.") else exact).add(bare)
        self._exact = frozenset(exact)
        self._suffixes = tuple(sorted("." + suffix for suffix in suffixes))

    def including_origin(self, url: str) -> TrustedHosts:
        """These hosts and the origin (scheme, host, port) of `url`, exactly."""
        parsed = URL(url)
        if not parsed.host or parsed.port is None:
            raise ConfigurationError(f"no origin in {url!r}")
        origin = (parsed.scheme, parsed.host, parsed.port)
        return TrustedHosts(
            self._patterns, plain_http=self.plain_http, origins={*self._origins, origin}
        )

    def allows(self, url: URL) -> bool:
        """Whether `url` is on a trusted host, over https (or http with `plain_http`)."""
        schemes = ("https", "http") if self.plain_http else ("https",)
        if url.scheme not in schemes or not url.host:
            return False
        host = _normalise(url.host)
        if (url.scheme, host, url.port) in self._origins:
            return True
        return host in self._exact or host.endswith(self._suffixes)

    def keeps_token(self, carrying: bool, source: URL, target: URL) -> bool:
        """Whether a redirect from `source` to `target` may still carry the token.

        Only while it has carried it so far, `target` is trusted, and the redirect does not
        go from https down to http. Once dropped, the token stays dropped for the chain.
        """
        downgrade = source.scheme == "https" and target.scheme != "https"
        return carrying and not downgrade and self.allows(target)

    def __repr__(self) -> str:
        names = sorted(self._exact) + ["*" + suffix for suffix in self._suffixes]
        names += sorted(f"{scheme}://{host}:{port}" for scheme, host, port in self._origins)
        return f"TrustedHosts({names!r})"
