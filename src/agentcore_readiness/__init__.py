"""agentcore-readiness: production-readiness review for AWS Bedrock AgentCore agents."""

__version__ = "0.1.0"

REPOSITORY_URL = "https://github.com/agentcore-readiness/agentcore-readiness"
"""Where the source, the rule documentation (``docs/rules/``) and the issues live; the same as
``[project.urls]`` in pyproject.toml (a test keeps them equal)."""
