"""`vistka glossary`: load a glossary file (the edition's default or your own) and list the entries."""

from __future__ import annotations

from pathlib import Path

import click

from vistka.cli.base import no_such, setup_django


@click.group()
def glossary() -> None:
    """Manage the translation glossary (names, places, institutions, abbreviations)."""


@glossary.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite entries that exist already (editors' changes too).")
def load(path: Path | None, replace: bool) -> None:
    """Add the entries of PATH (default: the edition's glossaries) that are not in the database yet."""
    setup_django()
    from vistka.pipeline.translate.glossaries import DEFAULT_GLOSSARIES, GlossaryFileError, load_glossary_file

    for file in [path] if path else DEFAULT_GLOSSARIES:
        try:
            added, updated = load_glossary_file(file, replace=replace)
        except GlossaryFileError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{file}: {added} added, {updated} updated")


@glossary.command("list")
@click.option("--lang", default="uk", show_default=True, help="Source language.")
def list_entries(lang: str) -> None:
    """Print the glossary entries for one source language."""
    setup_django()
    from vistka.core.models import GlossaryEntry

    entries = GlossaryEntry.objects.filter(source_lang=lang)
    if not entries.exists():
        languages = sorted(set(GlossaryEntry.objects.values_list("source_lang", flat=True)))
        if not languages:
            raise click.ClickException("the glossary is empty; load the edition's with `vistka glossary load`")
        raise no_such("glossary entries for the language", lang, languages,
                      f"languages with entries: {', '.join(languages)}")
    for entry in entries:
        variants = f"  (replaces: {', '.join(entry.variants)})" if entry.variants else ""
        click.echo(f"{entry.source} → {entry.target} [{entry.kind}, {entry.target_lang}]{variants}")
