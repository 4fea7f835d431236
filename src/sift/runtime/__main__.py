"""`python -m sift.runtime ...`: the `sift` command without its console script."""

import sys

from sift.runtime.cli import main

sys.exit(main())
