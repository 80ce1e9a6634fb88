"""``python -m course.site``: build the static site of both editions (see :mod:`course.site`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.site.build import DEFAULT_OUT, build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.site", description="Build the static site of both editions.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: _build/html)")
    parser.add_argument("--work", type=Path, default=None, help="executed notebooks and sources (default: <out>-work)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for execution and rendering (default: 2)")
    parser.add_argument("--execute", default="all",
                        help="comma-separated notebook stems to execute (e.g. 09_playground), 'all' or 'none'")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default: 600)")
    parser.add_argument("--allow-errors", action="store_true",
                        help="a failing cell does not stop the build: its page shows the traceback (a preview)")
    args = parser.parse_args(argv)
    execute = None if args.execute == "all" else set() if args.execute == "none" else set(args.execute.split(","))
    report = build_site(args.out, args.work, args.jobs, execute, args.timeout, args.allow_errors)
    print(report.summary())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
