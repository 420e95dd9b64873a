"""Helpers for tests (fixtures that build real artefacts without network access)."""
