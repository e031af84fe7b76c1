"""Pure checks: facts in, findings out. One module per rule family; a big family is a package
split along its sections, whose ``__init__`` imports its modules.

``RULE_MODULES`` lists the modules the registry imports; a new family module is added
here.
"""

RULE_MODULES: tuple[str, ...] = (
    "preconditions",
    "iam",
    "shell",
    "auth",
    "jwt",
    "code_quality",
    "secrets",
    "gateway",
    "observability",
    "network",
    "performance",
    "sessions",
    "resources",
    "testing",
)

FAMILY_ORDER: tuple[str, ...] = (
    "CLI",
    "CFG",
    "IAM",
    "CMD",
    "AUTH",
    "JWT",
    "CODE",
    "SEC",
    "GW",
    "OBS",
    "NET",
    "PERF",
    "SESS",
    "RES",
    "TEST",
)
