"""Triage agent: classifies incoming tickets."""

import logging

from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent

app = BedrockAgentCoreApp()
log = logging.getLogger(__name__)
MAX_PROMPT = 10_000


def _agent() -> Agent:
    return Agent(model="global.anthropic.claude-sonnet-4-5-20250929-v1:0")


@app.entrypoint
def invoke(payload):
    try:
        prompt = payload.get("prompt")
        if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT:
            return {"error": "prompt must be a string of at most 10000 characters"}
        return {"category": str(_agent()(f"Classify this ticket: {prompt}"))}
    except Exception:
        log.exception("triage failed")
        return {"error": "An error occurred"}


if __name__ == "__main__":
    app.run()
