"""Performance and cold start: what ships in the package, how the image is built, and what
the agent does before it can answer.

One module per section of the family; importing this package registers every rule of it.
"""

from agentcore_readiness.checks.performance import (
    container,
    dependencies,
    import_duration,
    init_at_import,
    package_size,
)

__all__ = ["container", "dependencies", "import_duration", "init_at_import", "package_size"]
