"""``python -m benchmarks [--smoke] [--reps N] [--out PATH] [--no-readme] [--no-torch]``."""

import sys

from .lecture_benchmark import main

sys.exit(main())
