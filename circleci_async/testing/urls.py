"""The URL scheme of the artifacts origin, and how incoming paths are matched to it."""

from __future__ import annotations

from urllib.parse import quote, unquote

__all__ = ["artifact_url_path", "canonical", "lookup_keys"]


def artifact_url_path(job_id: str, node_index: int, path: str) -> str:
    """Percent-encoded URL path of an artifact, like `output.circle-artifacts.com` uses.

    The artifact path is kept verbatim (a leading `/` or `..` segments included); only bytes
    that are not valid in a URL are percent-encoded.
    """
    return f"/output/job/{job_id}/artifacts/{node_index}/{quote(path, safe='/')}"


def lookup_keys(url_path: str) -> tuple[str, str]:
    """Keys an artifact's URL path is found by: its canonical form, and its dot-segment-free form.

    HTTP clients remove `.` and `..` segments before sending (RFC 3986, section 5.2.4), so an
    artifact with a hostile path is also found under the path the client actually requests.
    """
    decoded = unquote(url_path)
    return quote(decoded, safe="/"), quote(_remove_dot_segments(decoded), safe="/")


def canonical(url_path: str) -> str:
    """Canonical percent-encoding of a raw request path, for comparing with `lookup_keys`."""
    return quote(unquote(url_path), safe="/")


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        elif segment == ".":
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/".join(output)
