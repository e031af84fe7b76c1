"""Ask the support agent a question from the command line."""

import json
import sys
import uuid

import boto3

RUNTIME_ARN = "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/SupportDesk_SupportAgent-Ab12Cd34Ef"


def ask(question: str) -> str:
    client = boto3.client("bedrock-agentcore")
    response = client.invoke_agent_runtime(
        agentRuntimeArn=RUNTIME_ARN,
        runtimeSessionId=str(uuid.uuid4()),
        payload=json.dumps({"prompt": question}),
    )
    return response["response"].read().decode()


if __name__ == "__main__":
    print(ask(" ".join(sys.argv[1:])))
