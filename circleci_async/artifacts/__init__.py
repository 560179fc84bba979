"""The parallel artifact harvester: `circle.artifacts`.

    async with CircleCI() as circle:
        report = await circle.artifacts.download_job("gh/acme/app", 1234, "out")
        print(report.summary())

On-disk layout (`dest` is the folder given):

- `download_job`: `dest/<node_index>/<path>`, the way CircleCI's own artifact URLs are laid
  out. The node index is always there, so parallel nodes that store the same path never
  overwrite each other and the layout does not change with a job's parallelism.
- `download_workflow`, `download_pipeline`, and `download` of refs that name their job:
  `dest/<job_number>-<job_name>/<node_index>/<path>`. Job numbers are unique within a
  project, so two jobs (a rerun, two workflows of one pipeline) never share a folder; the
  name is there for people and has separators and control characters replaced by `_`.
- `download` of plain `Artifact`s: `dest/<node_index>/<path>`.
- step logs (`logs="all"` or `"failed"`, `LogRef`s in plans): `logs/<container>/<step id>-
  <step name>.log` beside the job's container folders (`circleci_async.artifacts.logrefs`).

A file is written as `<name>.part` and moved to `<name>` with `os.replace` once its size
matches `Content-Length`, so a name without `.part` always holds a whole file. Each file is
owned by one harvest at a time (an `flock` on its `.part`): two harvests into one folder, in
one process or many, never write one file together; the second waits and finds it done. A
re-run keeps a file under its final name when a one-byte `Range` request says the server's
copy has its size (any other size, or none learnt, and it is fetched again), and resumes
each `.part` with `Range` (or starts it again when the server will not resume), also after
a crash, Ctrl-C or a cancelled task. Files are not
fsynced unless `durable=True`: a killed process never leaves a partial file under a final
name either way, only a power cut can without it. Paths from the server that are absolute,
hold `..`, NUL bytes or backslashes, or resolve outside `dest` are refused and reported,
never written (`circleci_async.artifacts.paths` is the one guard).

The listing feeds a queue of `2 × concurrency` refs, so memory does not grow with the number
of files; the report keeps one small `FileResult` per file, or only the failed ones with
`keep="failed"`.

Many processes: `plan_job`, `plan_workflow`, `plan_pipeline` and `plan_branch` list once into
a picklable `HarvestPlan`; `shard=(i, n)` on every `download*` method takes a stable part of
the files (by path hash, so every shard computes the same split on its own); and
`merge_reports` makes one report of the shards'. `circleci_async.dask` runs the shards on a
Dask cluster.
"""

from .errors import (
    ArtifactError,
    DestinationError,
    DestinationFolderError,
    DuplicatePathError,
    IncompleteDownloadError,
    RefusedURLError,
    UnsafePathError,
)
from .harvest import DownloadOptions
from .hosts import DEFAULT_ARTIFACT_HOSTS, TrustedHosts
from .logrefs import LogRef
from .plan import HarvestPlan, Shard, shard_index
from .progress import Progress, ProgressCallback
from .refs import ArtifactRef
from .report import (
    DownloadReport,
    FileResult,
    ListingFailure,
    Outcome,
    format_bytes,
    merge_reports,
)
from .service import ArtifactsService, DownloadOptionArgs

__all__ = [
    "DEFAULT_ARTIFACT_HOSTS",
    "ArtifactError",
    "ArtifactRef",
    "ArtifactsService",
    "DestinationError",
    "DestinationFolderError",
    "DownloadOptionArgs",
    "DownloadOptions",
    "DownloadReport",
    "DuplicatePathError",
    "FileResult",
    "HarvestPlan",
    "IncompleteDownloadError",
    "ListingFailure",
    "LogRef",
    "Outcome",
    "Progress",
    "ProgressCallback",
    "RefusedURLError",
    "Shard",
    "TrustedHosts",
    "UnsafePathError",
    "format_bytes",
    "merge_reports",
    "shard_index",
]
