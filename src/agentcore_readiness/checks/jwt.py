"""The JWT 403 diagnosis steps (run by diagnose_jwt_403, not by review_project)."""

from __future__ import annotations
