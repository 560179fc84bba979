"""Bridges to other libraries, each behind its own extra; nothing here is imported eagerly.

- `circleci_async.integrations.fsspec`: the read-only `circleci://` filesystem
  (`pip install 'circleci-async[fsspec]'`).
"""
