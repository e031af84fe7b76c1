"""Customer-support agent: answers questions about orders and opens tickets."""

import os

import boto3
import requests
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent, tool

app = BedrockAgentCoreApp()
dynamodb = boto3.client("dynamodb")
TICKETS_URL = "https://tickets.example.com/api/v2/tickets"


@tool
def open_ticket(summary: str) -> str:
    """Open a support ticket."""
    token = os.environ["TICKETING_API_TOKEN"]
    response = requests.post(TICKETS_URL, json={"summary": summary}, headers={"Authorization": f"Bearer {token}"})
    return response.json()["id"]


@app.entrypoint
def invoke(payload):
    prompt = payload.get("prompt")
    agent = Agent(model="us.anthropic.claude-sonnet-4-5-20250929-v1:0", tools=[open_ticket])
    try:
        result = agent(prompt)
    except Exception as e:
        return {"error": str(e)}
    return {"result": str(result)}


if __name__ == "__main__":
    app.run()
