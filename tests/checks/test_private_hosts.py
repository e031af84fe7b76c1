"""NET001 reports a private host where the code connects to it, over
``tests/fixtures/private_hosts``: identifier URIs (JSON-Schema ``$id``/``$ref``, XML
namespaces, an ``example.local`` event source), log messages and comparisons are not
connections, and a public OpenSearch domain (``search-*``) is not private.
"""

from __future__ import annotations

from collections.abc import Callable

from conftest import ProjectBuilder, findings_of


def test_only_connected_private_hosts_are_reported(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("private_hosts")
    result = project.results("NET001")["NET001"]
    assert findings_of(result) == [
        ("fail", "app/Orders/search.py", 5),  # vpc-* domain endpoint, requested with requests.get
        ("fail", "app/Orders/store.py", 7),  # os.getenv default of the Redis client's host
    ]
    assert [f.message for f in result.findings] == [
        "agent code reaches the private host vpc-orders-9x2m4.us-east-1.es.amazonaws.com but runtime 'Orders' "
        "uses PUBLIC network mode: it cannot reach private addresses",
        "agent code reaches the private host orders-cache.internal but runtime 'Orders' uses PUBLIC network mode: "
        "it cannot reach private addresses",
    ]


def test_a_vpc_runtime_reaches_them(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("private_hosts")
    config = (project.root / "agentcore/agentcore.json").read_text()
    project.write(
        "agentcore/agentcore.json",
        config.replace(
            '"networkMode": "PUBLIC"',
            '"networkMode": "VPC", "networkConfig": {"subnets": ["subnet-0a", "subnet-0b"], "securityGroups": ["sg-0a"]}',
        ),
    )
    result = project.results("NET001")["NET001"]
    assert (result.status, result.findings) == ("pass", [])
