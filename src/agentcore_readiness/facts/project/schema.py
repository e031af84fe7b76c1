"""Typed models of ``agentcore/agentcore.json`` (AgentCore CLI schema, versions 1 and 2).

They follow the CLI's published JSON Schema for the fields the readiness checks use and
keep every other key (``extra="allow"``), so a newer CLI's additions are never fatal.
Validation errors become CFG001 findings located by JSON pointer.

A runtime ``authorizerType`` of ``NONE`` is accepted here because AUTH001 reports it with
a better message. Lifecycle values (60..28,800 s, idle at most the maximum lifetime) are
checked on the normalised runtimes for both file formats (CFG001, SESS008).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

_SUBNET = r"^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$"
_SG = r"^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$"
_VPC = r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$"

NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ClaimMatchValue(_Closed):
    matchValueString: str | None = None
    matchValueStringList: list[str] | None = None


class AuthorizingClaimMatchValue(_Closed):
    claimMatchOperator: Literal["EQUALS", "CONTAINS", "CONTAINS_ANY"]
    claimMatchValue: ClaimMatchValue


class CustomClaim(_Closed):
    inboundTokenClaimName: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    inboundTokenClaimValueType: Literal["STRING", "STRING_ARRAY"]
    authorizingClaimMatchValue: AuthorizingClaimMatchValue


class CustomJwtAuthorizer(_Open):
    discoveryUrl: str
    allowedAudience: list[NonEmpty] | None = None
    allowedClients: list[NonEmpty] | None = None
    allowedScopes: list[NonEmpty] | None = None
    customClaims: list[CustomClaim] | None = None


class AuthorizerConfiguration(_Open):
    customJwtAuthorizer: CustomJwtAuthorizer | None = None


class EnvVar(_Closed):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    value: str


class NetworkConfig(_Closed):
    subnets: Annotated[list[Annotated[str, StringConstraints(pattern=_SUBNET)]], Field(min_length=1, max_length=16)]
    securityGroups: Annotated[list[Annotated[str, StringConstraints(pattern=_SG)]], Field(min_length=1, max_length=16)]
    vpcId: Annotated[str, StringConstraints(pattern=_VPC)] | None = None


class Instrumentation(_Closed):
    enableOtel: bool = True


class LifecycleConfiguration(_Open):
    idleRuntimeSessionTimeout: int | None = None
    maxLifetime: int | None = None


class Runtime(_Open):
    name: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,47}$")]
    description: Annotated[str, StringConstraints(max_length=200)] | None = None
    build: Literal["CodeZip", "Container"]
    entrypoint: Annotated[
        str, StringConstraints(pattern=r"^[a-zA-Z0-9_][a-zA-Z0-9_/.-]*\.(py|ts|js)(:[a-zA-Z_][a-zA-Z0-9_]*)?$")
    ]
    codeLocation: NonEmpty
    dockerfile: NonEmpty | None = None
    runtimeVersion: str | None = None
    envVars: list[EnvVar] | None = None
    networkMode: Literal["PUBLIC", "VPC"] | None = None
    networkConfig: NetworkConfig | None = None
    instrumentation: Instrumentation | None = None
    protocol: Literal["HTTP", "MCP", "A2A", "AGUI"] | None = None
    requestHeaderAllowlist: Annotated[list[str], Field(max_length=20)] | None = None
    executionRoleArn: str | None = None
    additionalPolicies: list[NonEmpty] | None = None
    authorizerType: Literal["AWS_IAM", "CUSTOM_JWT", "NONE"] | None = None
    authorizerConfiguration: AuthorizerConfiguration | None = None
    lifecycleConfiguration: LifecycleConfiguration | None = None


class MemoryStrategy(_Open):
    type: Literal["SEMANTIC", "SUMMARIZATION", "USER_PREFERENCE", "EPISODIC", "CUSTOM"]
    namespaceTemplates: list[str] | None = None
    reflectionNamespaceTemplates: list[str] | None = None


class Memory(_Open):
    name: NonEmpty
    eventExpiryDuration: Annotated[int, Field(ge=3, le=365)] | None = None
    strategies: list[MemoryStrategy] = Field(default_factory=list)


class Credential(_Open):
    authorizerType: str
    name: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9\-_]+$")]


class OnlineEvalConfig(_Open):
    name: NonEmpty
    agent: str | None = None
    evaluators: list[str] | None = None
    samplingRate: Annotated[float, Field(ge=0.01, le=100)] | None = None
    enableOnCreate: bool | None = None


class OutboundAuth(_Open):
    type: Literal["OAUTH", "API_KEY", "NONE", "GATEWAY_IAM_ROLE", "JWT_PASSTHROUGH"]
    credentialName: str | None = None


class GatewayTarget(_Open):
    name: NonEmpty
    targetType: str
    endpoint: str | None = None
    outboundAuth: OutboundAuth | None = None
    toolDefinitions: list[dict[str, object]] | None = None


class PolicyEngineConfiguration(_Open):
    policyEngineName: NonEmpty
    mode: Literal["LOG_ONLY", "ENFORCE"]


class Gateway(_Open):
    name: NonEmpty
    targets: list[GatewayTarget] = Field(default_factory=list)
    authorizerType: Literal["NONE", "AWS_IAM", "CUSTOM_JWT"] | None = None
    authorizerConfiguration: AuthorizerConfiguration | None = None
    exceptionLevel: Literal["NONE", "DEBUG"] | None = None
    policyEngineConfiguration: PolicyEngineConfiguration | None = None


class Policy(_Open):
    name: NonEmpty
    statement: str | None = None
    enforcementMode: Literal["ACTIVE", "LOG_ONLY"] | None = None


class PolicyEngine(_Open):
    name: NonEmpty
    policies: list[Policy] = Field(default_factory=list)


class AgentCoreProject(_Open):
    """The whole ``agentcore.json``."""

    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]{0,22}$")]
    version: Literal[1, 2]
    runtimes: list[Runtime] = Field(default_factory=list)
    memories: list[Memory] = Field(default_factory=list)
    credentials: list[Credential] = Field(default_factory=list)
    onlineEvalConfigs: list[OnlineEvalConfig] = Field(default_factory=list)
    agentCoreGateways: list[Gateway] = Field(default_factory=list)
    policyEngines: list[PolicyEngine] = Field(default_factory=list)
