"""`python -m circleci_async`: the `circleci-async` command."""

from .cli import main

raise SystemExit(main())
