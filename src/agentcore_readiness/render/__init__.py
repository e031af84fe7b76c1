"""Renderers: the skill's checklist (markdown), JSON, SARIF 2.1.0."""
