"""agentcore-readiness: production-readiness review for AWS Bedrock AgentCore agents."""

__version__ = "0.1.0"
