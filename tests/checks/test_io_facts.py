"""What counts as I/O for the tool error-handling rule (CODE004): ``.json()`` on a response
that requests/httpx already read is parsing; a streamed response's reads and a client's
calls are I/O."""

from __future__ import annotations

from conftest import ProjectBuilder, findings_of

TOOLS = "app/Agent/tools.py"


def test_response_json_is_parsing_not_io(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("tools")
    project.write(
        TOOLS,
        """
        import requests
        from strands import tool


        @tool
        def weather(city: str) -> dict:
            \"\"\"Weather for a city.\"\"\"
            try:
                resp = requests.get("https://api.example.org/w", params={"q": city}, timeout=5)
            except requests.RequestException:
                return {"error": "unavailable"}
            return {"temp": resp.json().get("temp")}


        @tool
        def feed(url: str) -> list:
            \"\"\"Lines of a feed.\"\"\"
            try:
                resp = requests.get(url, stream=True, timeout=5)
            except requests.RequestException:
                return []
            return list(resp.iter_lines())[:10]
        """,
    )
    result = project.results("CODE004")["CODE004"]
    # the streamed response still reads from the network after the try
    assert findings_of(result) == [("warn", TOOLS, 22)]
    assert result.findings[0].message == "tool feed() calls resp.iter_lines() outside any try/except"
