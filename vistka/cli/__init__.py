"""The `vistka` command."""

from __future__ import annotations

import click

from vistka.cli import demo, pipeline, sources, stories, translate


@click.group()
@click.version_option(package_name="vistka")
def main() -> None:
    """vistka: fetch news outlets, translate them and publish a news site."""


for command in (pipeline.fetch, pipeline.status, pipeline.serve, pipeline.manage,
                translate.translate, sources.sources, demo.demo, stories.stories):
    main.add_command(command)
