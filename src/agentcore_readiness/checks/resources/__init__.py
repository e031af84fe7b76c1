"""Resources: memory strategies, status and the code's memory calls, policy engines, built-in
tool sessions.

One module per section of the family; importing this package registers every rule of it.
"""

from agentcore_readiness.checks.resources import (
    builtin_sessions,
    memory_calls,
    memory_status,
    memory_strategies,
    policy_engines,
)

__all__ = ["builtin_sessions", "memory_calls", "memory_status", "memory_strategies", "policy_engines"]
