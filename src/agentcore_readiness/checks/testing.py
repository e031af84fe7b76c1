"""Testing: the agent's own tests."""

from __future__ import annotations
