"""Where findings land: for a folder of projects, the fail and warn findings per file role and
per runtime, by rule family, so a reviewer can see whether agent rules speak about agent code.

    uv run python benchmarks/findings_by_role.py PATH [PATH ...] [--rules AUTH,SESS] [--files]

PATH is a project, or a folder holding several (searched like ``check``). ``--files`` also
lists every file that holds a finding, with its role and why it has that role.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict

from agentcore_readiness.engine import InputError, ReviewRequest, resolve_target, review
from agentcore_readiness.facts.code.index import build_code_index
from agentcore_readiness.facts.project.project_facts import load_project


def family(rule: str) -> str:
    return rule.rstrip("0123456789")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--rules", default="", help="only these rule codes or prefixes (comma-separated)")
    parser.add_argument("--files", action="store_true", help="list the files holding findings, with their roles")
    args = parser.parse_args()
    select = tuple(c.strip() for c in args.rules.split(",") if c.strip())
    by_role: dict[str, Counter[str]] = defaultdict(Counter)
    by_runtime: dict[str, Counter[str]] = defaultdict(Counter)
    for target in args.paths:
        try:
            roots = resolve_target(target)
        except InputError as exc:
            print(f"{target}: {exc}", file=sys.stderr)
            continue
        for root, shown in roots:
            report = review(ReviewRequest(target=str(root), select=select))
            index = build_code_index(load_project(root, shown)) if args.files else None
            files: dict[str, list[str]] = defaultdict(list)
            for project in report.projects:
                for result in project.results:
                    for finding in result.findings:
                        if finding.level not in ("fail", "warn"):
                            continue
                        where = finding.location.path or finding.location.arn or "project"
                        role = _role_word(finding.role, finding.location.path)
                        by_role[role][family(finding.rule)] += 1
                        for runtime in finding.runtimes or ([finding.subject] if finding.subject else ["(project)"]):
                            by_runtime[f"{project.name}/{runtime}"][family(finding.rule)] += 1
                        files[where].append(finding.rule)
            if index is not None:
                print(f"\n## {shown}")
                for path, rules in sorted(files.items()):
                    py_file = index.file(path)
                    label = f"{py_file.place.label}: {py_file.place.why}" if py_file else "config or build file"
                    print(f"  {path}  [{', '.join(sorted(set(rules)))}]  {label}")
    _table("findings per file role", by_role)
    _table(
        "findings per runtime (code findings by the runtimes whose code they are in; config findings by subject)",
        by_runtime,
    )
    return 0


def _role_word(role: str | None, path: str | None) -> str:
    if role is None:
        return "config, build or AWS" if path is None or not path.endswith(".py") else "code (no role)"
    if role.startswith("runtime code"):
        return "runtime code"
    return role


def _table(title: str, rows: dict[str, Counter[str]]) -> None:
    families = sorted({f for counts in rows.values() for f in counts})
    print(f"\n{title}")
    header = f"  {'':48} " + " ".join(f"{f:>5}" for f in families) + "  total"
    print(header)
    for name, counts in sorted(rows.items(), key=lambda item: -sum(item[1].values())):
        cells = " ".join(f"{counts.get(f, 0):>5}" for f in families)
        print(f"  {name[:48]:48} {cells}  {sum(counts.values()):>5}")


if __name__ == "__main__":
    raise SystemExit(main())
