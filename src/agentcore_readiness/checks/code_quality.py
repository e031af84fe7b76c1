"""Code quality: error handling and input validation in the agent's own code."""

from __future__ import annotations
