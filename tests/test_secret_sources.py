"""SEC002 tells a secret configured into the runtime's environment from one the runtime's own
code put there: over ``tests/fixtures/env_secret_sources`` (one runtime whose modules read
keys in every way real agents do).
"""

from __future__ import annotations

from collections.abc import Callable

from conftest import ProjectBuilder, findings_of


def test_only_configured_secrets_are_sec002(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("env_secret_sources")
    results = project.results("SEC001", "SEC002")
    sec002 = results["SEC002"]
    # the defect: a key that only the runtime's configuration can provide
    assert findings_of(sec002) == [("fail", "app/Agent/weather.py", 7)]
    assert [f.message for f in sec002.findings] == [
        "reads the secret WEATHER_API_KEY from the runtime environment: runtime environment variables are "
        "plaintext configuration, not vault-backed"
    ]


def test_near_misses_are_explained_not_reported(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("env_secret_sources")
    project.write("app/Agent/weather.py", "def forecast(city):\n    return {'city': city}\n")
    results = project.results("SEC001", "SEC002")
    sec002 = results["SEC002"]
    assert sec002.status == "pass"
    reason = sec002.reason or ""
    # os.environ[...] = ... is a write; the key came from Secrets Manager in the same runtime
    assert (
        "tools/search.py:7 SEARCH_API_KEY: the runtime's own code stores it in the environment from a secret "
        "store at app/Agent/keys.py:13" in reason
    )
    # the role's credentials copied into the AWS SDK variables, and a presence check of them
    assert (
        "aws_session.py:8 AWS_SECRET_ACCESS_KEY: an AWS SDK credential variable (the execution role's "
        "credentials), not an application secret" in reason
    )
    assert "maps.py:8 MAPS_TOKEN: a fallback: token() (line 11) fetches the secret from a secret store first" in reason
    # the literal default is SEC001's finding, not a second one
    assert "news.py:5 NEWS_API_KEY: its literal default is the hard-coded secret SEC001 reports on this line" in reason
    assert findings_of(results["SEC001"]) == [("fail", "app/Agent/news.py", 5)]
