"""Diagnoses behind the diagnose tools: the JWT 403 walk and the quota and throttling triage.

Plain, blocking functions with pydantic answers; ``tools/`` wraps each as an MCP tool."""
