"""The `vistka` command."""

from __future__ import annotations

import click

from vistka.cli import demo, pipeline, sources, translate, workers


@click.group()
@click.version_option(package_name="vistka")
def main() -> None:
    """vistka: fetch news outlets, translate them and publish a news site."""


for command in (pipeline.fetch, pipeline.status, pipeline.serve, pipeline.manage,
                translate.translate, sources.sources, demo.demo, workers.worker, workers.scheduler):
    main.add_command(command)
