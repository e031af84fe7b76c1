"""Read-only AWS clients: an allowlist of operations enforced inside botocore.

Every client the product makes comes from :class:`ReadOnlyClients`. Each one carries
an event hook on ``before-call`` (and a second one on ``before-send``) that refuses any
operation not in :data:`READ_ONLY_OPERATIONS` with :class:`ReadOnlyViolation`, before a
request is built or sent: a mutating call cannot leave the process, even by mistake.

Credentials and region come from the standard AWS chain (environment, profile, SSO,
instance role) and ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` are honoured
by botocore itself. Only the region may be chosen by a tool argument.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from agentcore_readiness.facts.aws.model import AwsFailure

# service -> operations. Only Get/List/Describe-style reads; a test keeps it that way.
READ_ONLY_OPERATIONS: dict[str, frozenset[str]] = {
    "sts": frozenset({"GetCallerIdentity"}),
    "bedrock-agentcore-control": frozenset(
        {
            "ListAgentRuntimes",
            "GetAgentRuntime",
            "GetResourcePolicy",
            "ListGateways",
            "GetGateway",
            "ListGatewayTargets",
            "GetGatewayTarget",
            "ListMemories",
            "GetMemory",
            "ListOnlineEvaluationConfigs",
            "GetOnlineEvaluationConfig",
        }
    ),
    "iam": frozenset(
        {
            "GetRole",
            "ListRolePolicies",
            "GetRolePolicy",
            "ListAttachedRolePolicies",
            "GetPolicy",
            "GetPolicyVersion",
            "GetAccountAuthorizationDetails",
        }
    ),
    "events": frozenset({"ListRules", "DescribeRule", "ListTargetsByRule"}),
    "cloudtrail": frozenset({"DescribeTrails", "GetTrailStatus"}),
    "logs": frozenset({"DescribeLogGroups"}),
    "xray": frozenset({"GetTraceSegmentDestination"}),
    "ec2": frozenset({"DescribeSubnets", "DescribeRouteTables", "DescribeVpcEndpoints", "DescribeSecurityGroups"}),
    "lambda": frozenset({"ListProvisionedConcurrencyConfigs"}),
}
READ_PREFIXES = ("Get", "List", "Describe")

# The IAM service prefix of each client (bedrock-agentcore-control signs as bedrock-agentcore).
IAM_PREFIX: dict[str, str] = {"bedrock-agentcore-control": "bedrock-agentcore"}

_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "Forbidden",
}
_NOT_FOUND = {
    "ResourceNotFoundException",
    "NoSuchEntity",
    "NoSuchEntityException",
    "NotFoundException",
    "ResourceNotFound",
    "TrailNotFoundException",
}
_THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
}


class ReadOnlyViolation(RuntimeError):
    """A client was asked to make a call outside the read-only allowlist."""

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"refused {service}:{operation}: agentcore-readiness only makes read-only AWS calls "
            "(its allowlist has Get/List/Describe operations only); nothing was sent"
        )
        self.service = service
        self.operation = operation


def iam_action(service: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def is_allowed(service: str, operation: str) -> bool:
    return operation in READ_ONLY_OPERATIONS.get(service, frozenset())


def _guard(service: str) -> Callable[..., None]:
    def refuse_unless_allowed(model: Any = None, **_: Any) -> None:
        operation = getattr(model, "name", None) if model is not None else None
        if operation is None or not is_allowed(service, operation):
            raise ReadOnlyViolation(service, str(operation))

    return refuse_unless_allowed


def _send_guard(service: str) -> Callable[..., None]:
    def refuse_unless_allowed(event_name: str = "", **_: Any) -> None:
        # before-send.<service-id>.<Operation>
        operation = event_name.rsplit(".", 1)[-1]
        if not is_allowed(service, operation):
            raise ReadOnlyViolation(service, operation)

    return refuse_unless_allowed


client_observers: list[Callable[[str, str, Any], None]] = []
"""Called with (service, region, client) for each client made: instrumentation hooks. The
tests use one to attach botocore Stubbers for the operations the local AWS emulator lacks."""


def resolve_region(explicit: str | None, session: Any) -> str | None:
    """The region: the tool's argument, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the profile's."""
    if explicit:
        return explicit
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    region = getattr(session, "region_name", None)
    return region if isinstance(region, str) and region else None


class ReadOnlyClients:
    """A boto3 session and its guarded clients, one per (service, region), shared by threads."""

    def __init__(
        self,
        session: Any,
        *,
        max_pool: int = 10,
        on_client: Callable[[str, str, Any], None] | None = None,
    ) -> None:
        from botocore.config import Config

        self.session = session
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": 6},
            connect_timeout=5,
            read_timeout=20,
            max_pool_connections=max_pool,
            user_agent_extra="agentcore-readiness",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._on_client = on_client
        self.calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()

    def _count(self, event_name: str = "", **_: Any) -> None:
        operation = event_name.split(".", 1)[-1]
        with self._calls_lock:
            self.calls[operation] += 1

    @property
    def total_calls(self) -> int:
        with self._calls_lock:
            return sum(self.calls.values())

    def client(self, service: str, region: str) -> Any:
        if service not in READ_ONLY_OPERATIONS:
            raise ReadOnlyViolation(service, "*")
        key = (service, region)
        with self._lock:
            existing = self._clients.get(key)
            if existing is not None:
                return existing
            client = self.session.client(service, region_name=region, config=self._config)
            events = client.meta.events
            events.register_first("before-parameter-build.*.*", _guard(service))
            events.register_first("before-call.*.*", _guard(service))
            events.register_first("before-send.*.*", _send_guard(service))
            # Counted once per API call (retries not included), stubbed calls too.
            events.register_last("before-parameter-build.*.*", self._count)
            if self._on_client is not None:
                self._on_client(service, region, client)
            self._clients[key] = client
            return client

    def call(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        """Call ``operation`` (PascalCase) and return the parsed response; raises botocore errors."""
        if not is_allowed(service, operation):
            raise ReadOnlyViolation(service, operation)
        client = self.client(service, region)
        from botocore import xform_name

        method = getattr(client, xform_name(operation))
        response: dict[str, Any] = method(**params)
        return response


def classify(service: str, operation: str, exc: BaseException) -> AwsFailure:
    """An :class:`AwsFailure` for an exception raised by a call (never re-raises)."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    action = iam_action(service, operation)
    if isinstance(exc, ReadOnlyViolation):
        return AwsFailure("refused", action, "ReadOnlyViolation", str(exc))
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "Error")
        raw_message = str(error.get("Message") or "")
        if code.isdigit():
            # An error body botocore could not parse (an XML error from a JSON service): read its Code.
            embedded = re.search(r"<Code>([A-Za-z.]+)</Code>", raw_message)
            if embedded:
                code = embedded.group(1)
                found = re.search(r"<Message>([^<]*)</Message>", raw_message)
                raw_message = found.group(1) if found else ""
        message = _short(raw_message)
        if code in _ACCESS_DENIED or "AccessDenied" in code:
            return AwsFailure("access_denied", action, code, message)
        if code in _NOT_FOUND or code.endswith("NotFound") or code.endswith("NotFoundException"):
            return AwsFailure("not_found", action, code, message)
        if code in _THROTTLED:
            return AwsFailure("throttled", action, code, message)
        if code in _BAD_CREDENTIALS:
            return AwsFailure("invalid", action, code, message)
        return AwsFailure("error", action, code, message)
    if isinstance(exc, NoCredentialsError):
        return AwsFailure("invalid", action, "NoCredentials", "no AWS credentials found")
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)):
        return AwsFailure("unreachable", action, type(exc).__name__, _short(str(exc)))
    if isinstance(exc, BotoCoreError):
        return AwsFailure("error", action, type(exc).__name__, _short(str(exc)))
    return AwsFailure("error", action, type(exc).__name__, _short(str(exc)))


def _short(text: str, limit: int = 300) -> str:
    from agentcore_readiness.textsafe import excerpt

    return excerpt(" ".join(text.split()), limit)
