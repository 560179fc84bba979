"""Whether a URL points at this machine: `circleci_async.loopback`, re-exported here."""

from ..loopback import is_loopback_host, is_loopback_url

__all__ = ["is_loopback_host", "is_loopback_url"]
