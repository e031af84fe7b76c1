"""IAM: the execution role's permissions, trust policy and the runtime resource policy."""

from __future__ import annotations
