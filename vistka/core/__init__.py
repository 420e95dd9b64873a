"""The model: what every other layer reads and writes. It imports no pipeline and no face (pyproject.toml,
[tool.importlinter])."""
