"""The support site's chat backend: forwards each chat message to the SupportAgent runtime.

Not part of any runtime: agentcore-readiness reviews it as caller code (a long-lived service).
"""

import json
import uuid

import boto3
from fastapi import FastAPI

RUNTIME_ARN = "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/SupportDesk_SupportAgent-Ab12Cd34Ef"

app = FastAPI()
client = boto3.client("bedrock-agentcore")


@app.post("/chat")
def chat(message: str) -> dict[str, str]:
    response = client.invoke_agent_runtime(
        agentRuntimeArn=RUNTIME_ARN,
        runtimeSessionId=str(uuid.uuid4()),
        payload=json.dumps({"prompt": message}),
    )
    return {"answer": response["response"].read().decode()}


def record_feedback(rating: int) -> None:
    try:
        with open("feedback.log", "a", encoding="utf-8") as log:
            log.write(f"{rating}\n")
    except Exception:
        pass  # the site's own code: not reviewed by the agent's error-handling rules
