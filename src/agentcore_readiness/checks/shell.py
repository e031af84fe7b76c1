"""Shell access: who can call InvokeAgentRuntimeCommand, and how commands are built."""

from __future__ import annotations
