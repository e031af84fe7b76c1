"""The plumbing every AWS service module uses: read-only calls, paging, memoised results,
a bounded thread pool, progress, and the small readers of API values.

Every call goes through the read-only clients of :mod:`agentcore_readiness.facts.aws.client`;
a failed call raises :class:`CallFailed`, which :meth:`AwsCalls.attempt` turns into the
error of the fact it stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from agentcore_readiness.facts.aws.client import ReadOnlyClients, classify
from agentcore_readiness.facts.aws.model import AwsFailure, AwsReviewOptions, Fetched
from agentcore_readiness.facts.project.project_facts import API_JWT_KEYS, JwtAuthorizer, parse_jwt_authorizer
from agentcore_readiness.iam_policy import PolicyParseError, SourcedPolicy, parse_policy
from agentcore_readiness.log import get_logger
from agentcore_readiness.model import Location

log = get_logger(__name__)

T = TypeVar("T")

MAX_PAGES = 50


class CallFailed(Exception):
    def __init__(self, failure: AwsFailure) -> None:
        super().__init__(failure.describe())
        self.failure = failure


class AwsCalls:
    """One AWS review's calls: the clients, the options and project they serve, the home
    region, and what is shared across services (the pool, memoised results, progress)."""

    def __init__(self, clients: ReadOnlyClients, options: AwsReviewOptions, project: Any, region: str) -> None:
        self.clients = clients
        self.options = options
        self.project = project
        self.region = region
        self.groups = options.groups
        self.pool = ThreadPoolExecutor(max_workers=max(1, options.max_concurrency), thread_name_prefix="aws-facts")
        self._memo: dict[tuple[str, ...], Future[Any]] = {}
        self._memo_lock = threading.Lock()
        self._progress_lock = threading.Lock()
        self._done = 0
        self._total = 0
        self.account_id: str | None = None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def call(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        try:
            return self.clients.call(service, region, operation, **params)
        except Exception as exc:  # noqa: BLE001 - every failure becomes the fact's error
            raise CallFailed(classify(service, operation, exc)) from None

    def pages(self, service: str, region: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        from botocore import xform_name

        client = self.clients.client(service, region)
        name = xform_name(operation)
        if not client.can_paginate(name):
            yield self.call(service, region, operation, **params)
            return
        paginator = client.get_paginator(name)
        try:
            for number, page in enumerate(paginator.paginate(**params)):
                if number >= MAX_PAGES:
                    log.warning("pagination capped", operation=operation, pages=MAX_PAGES)
                    return
                yield page
        except CallFailed:
            raise
        except Exception as exc:  # noqa: BLE001
            raise CallFailed(classify(service, operation, exc)) from None

    def attempt(self, fn: Callable[[], T], service: str = "", operation: str = "") -> Fetched[T]:
        try:
            return Fetched(fn())
        except CallFailed as failed:
            return Fetched(error=failed.failure)
        except Exception as exc:
            log.warning("aws fact failed", operation=operation, error_type=type(exc).__name__, exc_info=True)
            return Fetched(error=AwsFailure("error", f"{service}:{operation}", type(exc).__name__, str(exc)[:200]))

    def memo(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        with self._memo_lock:
            future = self._memo.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._memo[key] = future
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
                raise
        result: T = future.result()
        return result

    def _progress(self, done: int = 0, total: int = 0) -> None:
        callback = self.options.progress
        with self._progress_lock:
            self._done += done
            self._total += total
            snapshot = (self._done, self._total)
        if callback is not None and done:
            try:
                callback(*snapshot)
            except Exception:
                log.debug("progress callback failed", exc_info=True)

    def run_all(self, tasks: list[Callable[[], Any]]) -> list[Any]:
        """Run ``tasks`` in the pool; results in order. Tasks never raise (they return Fetched)."""
        self._progress(total=len(tasks))

        def tracked(task: Callable[[], Any]) -> Any:
            try:
                return task()
            finally:
                self._progress(done=1)

        futures = [self.pool.submit(tracked, task) for task in tasks]
        return [f.result() for f in futures]


def deployed_resources(project: Any, key: str) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    state = getattr(project, "deployed_state", None)
    if not isinstance(state, Mapping):
        return found
    targets = state.get("targets")
    if not isinstance(targets, Mapping):
        return found
    for target in targets.values():
        resources = target.get("resources") if isinstance(target, Mapping) else None
        section = resources.get(key) if isinstance(resources, Mapping) else None
        if isinstance(section, Mapping):
            for name, value in section.items():
                if isinstance(value, Mapping):
                    found.setdefault(str(name), value)
    return found


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def jwt_from_api(config: Any) -> JwtAuthorizer | None:
    """``authorizerConfiguration.customJWTAuthorizer`` of a runtime or gateway; ``None`` when absent."""
    return parse_jwt_authorizer(config, *API_JWT_KEYS)


def sourced(
    document: Any,
    name: str,
    kind: Any,
    location: Location,
    arn: str | None,
    holder: str | None = None,
) -> SourcedPolicy:
    if isinstance(document, (str, Mapping)):
        try:
            parsed = parse_policy(document)
        except PolicyParseError as exc:
            raise CallFailed(
                AwsFailure("error", "iam:GetPolicyVersion", "MalformedPolicyDocument", f"{name}: {exc}")
            ) from None
        return SourcedPolicy(name=name, kind=kind, document=parsed, location=location, arn=arn, holder=holder)
    raise CallFailed(AwsFailure("error", "iam:GetPolicyVersion", "MalformedPolicyDocument", f"{name}: no document"))
