"""The one guard between a path the server names and the file system.

Every file a harvest writes gets its place from `safe_target`, and nothing else in the
package turns a server-given name into a path. Refused: an empty path, a NUL byte or any
other control character (newline, CR, ESC, ...), a backslash, an absolute path, a drive
letter, an empty, `.` or `..` part, any name (folder or file) ending in `.part` or
`.part.validator` (reserved for downloads in progress: a folder `rep.part/` would otherwise
block the file `rep`, whose download is written to `rep.part`), a final name that is a
symlink, and anything whose folder resolves outside the destination, through a symlink or
otherwise.

A process that swaps folders for symlinks while a harvest runs can still race the check;
the `.part` file is opened with `O_NOFOLLOW`, so at least the final hop is never followed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from .errors import UnsafePathError

__all__ = ["PART_SUFFIX", "VALIDATOR_SUFFIX", "job_folder", "safe_target"]

PART_SUFFIX = ".part"
"""Suffix of a file still being downloaded, beside its final name."""
VALIDATOR_SUFFIX = ".validator"
"""Added to a `.part` file's name for the file that keeps its ETag or Last-Modified."""
_RESERVED_SUFFIXES = (PART_SUFFIX, PART_SUFFIX + VALIDATOR_SUFFIX)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_DRIVE = re.compile(r"^[A-Za-z]:")
_UNSAFE_IN_LABEL = re.compile(r"[\x00-\x1f\x7f/\\:]")
_LABEL_LIMIT = 100


def job_folder(job_number: int, job_name: str | None) -> str:
    """The folder of one job in a multi-job harvest: `<number>-<name>`, or `<number>`.

    Separators, colons and control characters in the (server-given) job name become `_`,
    and long names are cut, so the result is always one plain folder name.
    """
    if not job_name:
        return str(job_number)
    label = _UNSAFE_IN_LABEL.sub("_", job_name.strip())[:_LABEL_LIMIT]
    return f"{job_number}-{label}"


def _path_problem(path: str) -> str | None:
    if not path:
        return "the path is empty"
    if "\x00" in path:
        return "it contains a NUL byte"
    control = _CONTROL.search(path)
    if control is not None:
        return f"it contains the control character {control.group()!r}"
    if "\\" in path:
        return "it contains a backslash"
    if path.startswith("/"):
        return "it is absolute"
    if _DRIVE.match(path):
        return "it starts with a drive letter"
    return None


def _part_problem(part: str) -> str | None:
    if part == "":
        return "it has an empty name (a doubled or trailing '/')"
    if part in (".", ".."):
        return f"it has a {part!r} part"
    if "\x00" in part or "/" in part or "\\" in part:
        return "a name holds a separator or a NUL byte"
    return None


def _inside(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def safe_target(dest: str | os.PathLike[str], folders: Sequence[str], path: str) -> str:
    """Where the artifact at `path` goes: `dest/<folders...>/<path>`, or `UnsafePathError`.

    `folders` are the harvest's own layout parts (job folder, node index), checked like the
    rest. The returned absolute path has its folder resolved (symlinks in `dest` itself are
    fine); nothing is created.
    """
    problem = _path_problem(path)
    parts = [*folders, *path.split("/")]
    for part in parts:
        problem = problem or _part_problem(part)
    if problem is None and any(part.endswith(_RESERVED_SUFFIXES) for part in parts):
        problem = f"names ending in {PART_SUFFIX!r} are kept for downloads in progress"
    if problem is not None:
        raise UnsafePathError(path, problem)
    root = os.path.realpath(dest)
    target = os.path.join(root, *parts)
    folder = os.path.realpath(os.path.dirname(target))
    if not _inside(root, folder):
        raise UnsafePathError(path, "it resolves outside the destination through a symlink")
    final = os.path.join(folder, parts[-1])
    if os.path.islink(final):
        raise UnsafePathError(path, "its final name is a symlink")
    return final
