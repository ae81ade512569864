"""`python -m clustercheck` is the same as the `clustercheck` command."""

import sys

from clustercheck.cli.main import main

sys.exit(main())
