"""``python -m vle``: the command-line interface."""

from vle.cli import main

raise SystemExit(main())
