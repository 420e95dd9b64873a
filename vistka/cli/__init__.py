"""The `vistka` command."""

from __future__ import annotations

import click

from vistka.cli import demo, editor, extract, glossary, pipeline, sources, stories, translate, workers


@click.group()
@click.version_option(package_name="vistka")
def main() -> None:
    """vistka: fetch news outlets, translate them and publish a news site."""


COMMANDS = [
    pipeline.fetch,
    pipeline.retry_quarantined,
    pipeline.run,
    pipeline.status,
    pipeline.serve,
    pipeline.manage,
    translate.translate,
    sources.sources,
    demo.demo,
    extract.extract,
    editor.createeditor,
    editor.apitoken,
    editor.retranslate,
    editor.localise_images,
    glossary.glossary,
    stories.stories,
    workers.worker,
    workers.scheduler,
]
for command in COMMANDS:
    main.add_command(command)
