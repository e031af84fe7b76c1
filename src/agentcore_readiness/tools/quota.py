"""``diagnose_quota_error``: the MCP tool over :mod:`agentcore_readiness.diagnose.quota`
(which quota an error is, the triage, the increase request), run in a worker thread."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from pydantic import Field

from agentcore_readiness.diagnose.quota import QuotaDiagnosis, diagnose
from agentcore_readiness.tools import ToolSpec


async def diagnose_quota_error(
    error_text: Annotated[
        str,
        Field(
            description="The error as seen: exception class and message, e.g. "
            "'ServiceQuotaExceededException: maxVms limit exceeded'"
        ),
    ],
    path: Annotated[
        str | None,
        Field(description="The project that got the error, to tick the triage from its own files"),
    ] = None,
) -> QuotaDiagnosis:
    """Diagnose an AgentCore throttling or quota error: which quota it is (invocation rate,
    active session workloads / maxVms, new sessions rate, Memory operation rates, gateway
    targets, built-in tool sessions), what to fix before asking for an increase, the
    skill's pre-request triage ticked from the project's rules when a path is given, and
    the increase request filled in. Unknown errors are reported as such, never guessed.
    """
    return await anyio.to_thread.run_sync(diagnose, error_text, path)


def diagnosis_markdown(diagnosis: QuotaDiagnosis) -> str:
    return diagnosis.markdown


TOOLS = [
    ToolSpec(
        diagnose_quota_error,
        "Diagnose a quota or throttling error",
        text=diagnosis_markdown,
        text_only=("markdown",),
    )
]
