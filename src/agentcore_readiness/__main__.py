"""``python -m agentcore_readiness``: the same command line as ``agentcore-readiness``."""

import sys

from agentcore_readiness.cli import main

sys.exit(main())
