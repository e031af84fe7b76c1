#!/usr/bin/env bash
# Runs the MCP conformance suite (Node >= 22, both from npm) against the HTTP server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
work="$repo/.cache/conformance"
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
node="$work/node_modules/.bin/node"
"$node" --version

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cd "$repo"
uv run agentcore-readiness serve --transport http --port "$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
"$node" "$work/node_modules/@modelcontextprotocol/conformance/dist/index.js" server \
  --url "http://127.0.0.1:$port/mcp" --expected-failures "$here/expected-failures.yml"

# The MCP Inspector CLI over stdio: list the tools and review the bundled example.
inspector="$work/node_modules/.bin/mcp-inspector"
export PATH="$work/node_modules/.bin:$PATH"
"$inspector" --cli uv run agentcore-readiness serve --method tools/list > "$work/tools-list.json"
python3 -c 'import json,sys; names={t["name"] for t in json.load(sys.stdin)["tools"]}; assert "review_project" in names, names; print("inspector tools/list:", len(names), "tools")' < "$work/tools-list.json"
"$inspector" --cli uv run agentcore-readiness serve --method tools/call --tool-name review_project \
  --tool-arg path=examples/support-desk > "$work/tools-call.json"
python3 -c 'import json,sys; r=json.load(sys.stdin); assert r.get("isError") is False, r; f=r["structuredContent"]["findings"][0]; assert (f["rule"], f["level"]) == ("AUTH003", "fail"), f; print("inspector tools/call review_project: first finding", f["rule"], f["level"])' < "$work/tools-call.json"
