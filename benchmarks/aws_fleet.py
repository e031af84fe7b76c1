"""Wall time and API calls of AWS-backed reviews against moto's server on loopback.

Seeds one moto account per size with N runtimes sharing the AgentCore CLI's default role,
then times, for each size:

* gathering the AWS facts of every runtime of the region (fleet mode) and the API calls it makes;
* the whole review (every rule, offline and AWS) in fleet mode.

It also reports the API calls of a review of one deployed runtime, per operation.
The product talks real HTTP to moto (``AWS_ENDPOINT_URL``); the few read operations moto
lacks are answered by the test suite's botocore Stubber helpers, as in the tests.

Usage: ``uv run python benchmarks/aws_fleet.py [--sizes 10,50,100] [--runs 3]``
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests")]


def _environment(endpoint: str, access_key: str, secret_key: str, home: Path) -> None:
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_CONFIG_FILE": str(home / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100", help="runtime counts to seed and review")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per size (median reported)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    from moto.server import ThreadedMotoServer

    from agentcore_readiness.facts.aws import client as aws_client
    from agentcore_readiness.facts.aws.gather import gather_aws_facts
    from agentcore_readiness.facts.aws.model import AwsReviewOptions
    from agentcore_readiness.facts.project.project_facts import load_project
    from agentcore_readiness.tools.review import run_review
    from aws.conftest import (
        Gaps,
        Scenario,
        cli_default_role_policy,
        create_role,
        create_runtime,
        deployed_project,
        open_account,
    )
    from conftest import ProjectBuilder

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    gaps = Gaps()
    aws_client.client_observers.append(gaps.observe)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            # One deployed runtime: the API calls of its review, per operation.
            one = open_account(endpoint, "100000000001")
            role = create_role(one, "AgentRole", scoped_trust=False, inline=cli_default_role_policy(one.id))
            scenario = Scenario(one, {"Agent": create_runtime(one, "Demo_Agent", role)})
            builder = ProjectBuilder(home / "one")
            deployed_project(builder, scenario)
            _environment(endpoint, one.access_key, one.secret_key, home)
            facts, why = gather_aws_facts(load_project(builder.root), AwsReviewOptions())
            assert facts is not None, why
            print(f"review of one deployed runtime: {facts.api_calls} API calls")
            for operation, count in sorted(facts.api_calls_by_operation.items()):
                print(f"    {count:3d}  {operation}")

            print(f"\n{'runtimes':>8}  {'API calls':>9}  {'gather (s)':>10}  {'review (s)':>10}  {'ms/runtime':>10}")
            for index, size in enumerate(sizes):
                account = open_account(endpoint, f"2000000000{index:02d}")
                role = create_role(account, "FleetRole", scoped_trust=False, inline=cli_default_role_policy(account.id))
                for i in range(size):
                    create_runtime(account, f"Fleet_Agent{i:03d}", role)
                fleet = ProjectBuilder(home / f"fleet{size}")
                fleet.agentcore(runtimes=[])
                _environment(endpoint, account.access_key, account.secret_key, home)
                options = AwsReviewOptions(all_runtimes=True)
                gathers: list[float] = []
                reviews: list[float] = []
                calls = 0
                for _ in range(args.runs):
                    started = time.perf_counter()
                    facts, why = gather_aws_facts(load_project(fleet.root), options)
                    gathers.append(time.perf_counter() - started)
                    assert facts is not None and len(facts.runtimes.value or ()) == size, why
                    calls = facts.api_calls
                    started = time.perf_counter()
                    report = run_review(str(fleet.root), all_runtimes=True)
                    reviews.append(time.perf_counter() - started)
                    assert not [r for r in report.projects[0].results if r.status == "error"]
                gather, review = statistics.median(gathers), statistics.median(reviews)
                print(f"{size:>8}  {calls:>9}  {gather:>10.2f}  {review:>10.2f}  {1000 * review / size:>10.1f}")
    finally:
        aws_client.client_observers.remove(gaps.observe)
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
