"""Sessions: lifecycle settings, how callers make and stop sessions, and background work
inside the agent.

One module per section of the family; importing this package registers every rule of it.
"""

from agentcore_readiness.checks.sessions import agent_code, callers, lifecycle, workload

__all__ = ["agent_code", "callers", "lifecycle", "workload"]
