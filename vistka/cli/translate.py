"""`vistka translate`: install, list and remove offline translation packages (Argos format)."""

from __future__ import annotations

from pathlib import Path

import click

from vistka.cli.base import setup_django


@click.group()
def translate() -> None:
    """Manage offline translation packages."""


@translate.command("install")
@click.argument("source_lang")
@click.argument("target_lang")
@click.option("--from-path", type=click.Path(exists=True, path_type=Path),
              help="Install from a local .argosmodel file or package folder, or a CTranslate2 conversion "
                   "of an OPUS-MT or NLLB model (a folder with model.bin and its SentencePiece files), "
                   "instead of downloading.")
def install(source_lang: str, target_lang: str, from_path: Path | None) -> None:
    """Install the SOURCE_LANG→TARGET_LANG package (downloads it when online), then translate held articles."""
    setup_django()
    from django.conf import settings

    from vistka.pipeline.run import resume_unfinished
    from vistka.pipeline.translate.packages import PackageDownloadError, PackageError, install_package

    try:
        path = install_package(source_lang, target_lang, settings.TRANSLATION_PACKAGES_DIR, from_path=from_path)
    except PackageDownloadError as error:
        raise click.ClickException(f"{error} — articles stay 'awaiting translation' until a package is installed") from None
    except PackageError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"installed {source_lang}→{target_lang} in {path}")
    published = resume_unfinished()
    if published:
        click.echo(f"translated and published {published} held article(s)")


@translate.command("list")
def list_installed() -> None:
    """Installed packages."""
    setup_django(migrate=False)
    from django.conf import settings

    from vistka.pipeline.translate.packages import list_packages

    packages = list_packages(settings.TRANSLATION_PACKAGES_DIR)
    if not packages:
        click.echo("no translation packages installed; try `vistka translate install uk en`")
    for package in packages:
        click.echo(f"{package.source}→{package.target}\tv{package.version}\t{package.size / 1e6:.0f} MB\t{package.path}")


@translate.command("remove")
@click.argument("source_lang")
@click.argument("target_lang")
def remove(source_lang: str, target_lang: str) -> None:
    """Remove an installed package."""
    setup_django(migrate=False)
    from django.conf import settings

    from vistka.pipeline.translate.packages import PackageError, remove_package

    try:
        remove_package(source_lang, target_lang, settings.TRANSLATION_PACKAGES_DIR)
    except PackageError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"removed {source_lang}→{target_lang}")
