"""The layer contracts in pyproject.toml ([tool.importlinter]): they hold for the code as it is, and they
catch the imports they exist to forbid, including one made inside a function."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from importlinter.api import read_configuration
from importlinter.application import use_cases
from importlinter.application.app_config import settings

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_code_keeps_every_contract():
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


class OneMoreImport:
    """The project's import graph with one more import: import-linter's graph-builder setting, the
    place it offers for building graphs another way."""

    def __init__(self, builder, extra_import: tuple[str, str]) -> None:
        self.builder, self.extra_import = builder, extra_import

    def build(self, **options):
        graph = self.builder.build(**options)
        importer, imported = self.extra_import
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
        return graph


def broken_contracts(extra_import: tuple[str, str], capsys) -> set[str]:
    """The names of the contracts that lint-imports reports broken for the code plus one more import."""
    builder = settings.GRAPH_BUILDER
    settings.configure(GRAPH_BUILDER=OneMoreImport(builder, extra_import))
    try:
        use_cases.lint_imports(str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    finally:
        settings.configure(GRAPH_BUILDER=builder)
    # One line a contract: "<name> KEPT" or "<name> BROKEN", either maybe followed by "(1 ignored import)".
    return {match[1] for match in re.finditer(r"^(.+?) BROKEN\b", capsys.readouterr().out, re.MULTILINE)}


@pytest.mark.parametrize(("importer", "imported", "contract"), [
    ("vistka.core.models", "vistka.pipeline.stories.grouping", "The model never imports the pipeline or a face"),
    ("vistka.pipeline.run", "vistka.site.caching",
     "The pipeline never imports the site, the API, the CLI or the editor's desk"),
    ("vistka.site.views.pages", "vistka.pipeline.run", "The site and the API use no pipeline internals"),
    ("vistka.pipeline.stories.grouping", "vistka.pipeline.run", "Stage packages never import the runner"),
    ("vistka.pipeline.sources.health", "vistka.pipeline.publish", "No cycles between the pipeline's packages"),
    ("vistka.desk.admin", "vistka.pipeline.extract.candidates", "Extract: internals stay inside"),
])
def test_each_contract_catches_the_import_it_forbids(importer, imported, contract, capsys):
    assert read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"]
    assert contract in broken_contracts((importer, imported), capsys)


def test_the_package_map_names_every_package_and_runner_module():
    """docs/ARCHITECTURE.md matches the folders: a newcomer finds any step from the map."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = [path.parent for path in (ROOT / "vistka").glob("*/__init__.py")]
    packages += [path.parent for path in (ROOT / "vistka" / "pipeline").glob("*/__init__.py")]
    for package in packages:
        assert f"`{package.relative_to(ROOT).as_posix()}/`" in text, package
    for module in (ROOT / "vistka" / "pipeline").glob("*.py"):
        if module.name != "__init__.py":
            assert f"`{module.name}`" in text, module
    for package in (ROOT / "vistka" / "pipeline").glob("*/__init__.py"):
        for module in package.parent.glob("*.py"):
            if module.name != "__init__.py":
                assert f"`{module.stem}`" in text or f"`{module.name}`" in text, module
