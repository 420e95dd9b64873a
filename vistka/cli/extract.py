"""`vistka extract`: run the extract stage on saved pages or URLs and print JSON Lines (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import yaml

FIELDS = ("title", "authors", "published", "updated", "image", "lead", "text", "read_also", "method")


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--url", "page_url", default="", help="The address a saved page came from: picks the outlet's "
              "rule and resolves relative links (default: the file's own file:// address).")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A YAML/JSON file with one rule's fields, applied on top of the shipped rule (to try a rule).")
@click.option("--no-rules", is_flag=True, help="Use only the generic path (structured data + trafilatura).")
@click.option("--encoding", default=None, help="Charset of saved pages when they do not declare one.")
def extract(inputs: tuple[str, ...], page_url: str, rules_file: Path | None, no_rules: bool,
            encoding: str | None) -> None:
    """Print one JSON object per input: input, url, title, authors, published, updated, language, image,
    lead, text, html, read_also, method (which source gave each field). Inputs that fail print
    {"input", "error"} and make the exit status 1."""
    override = _load_override(rules_file)
    failed = 0
    for item in inputs:
        record = _extract_one(item, page_url, override, not no_rules, encoding)
        failed += "error" in record
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        raise SystemExit(1)


def _extract_one(item: str, page_url: str, override: dict | None, use_rules: bool, encoding: str | None) -> dict:
    from vistka.pipeline.extract import ExtractionError, extract_article
    from vistka.pipeline.fetch import FetchError
    from vistka.pipeline.language import detect_language

    try:
        content, url, declared = _read(item, page_url)
        result = extract_article(content, url, encoding=declared or encoding, rule_override=override,
                                 use_rules=use_rules)
    except (OSError, FetchError, ExtractionError) as error:
        return {"input": item, "error": str(error)}
    record = {"input": item, "url": url, **{name: getattr(result, name) for name in FIELDS}}
    record["published"] = result.published.isoformat() if result.published else None
    record["updated"] = result.updated.isoformat() if result.updated else None
    record["language"] = detect_language(f"{result.title}. {result.text}")
    record["html"] = result.body_html
    return record


def _read(item: str, page_url: str) -> tuple[bytes, str, str | None]:
    if item.startswith(("http://", "https://")):
        from vistka.cli.base import setup_django
        from vistka.pipeline.fetch import FetchPolicy, fetch

        setup_django(migrate=False)  # settings only (fetch limits, allowed hosts); no database
        page = fetch(item, FetchPolicy.from_settings())
        return page.content, page.url, page.encoding
    path = Path(item)
    return path.read_bytes(), page_url or path.resolve().as_uri(), None


def _load_override(rules_file: Path | None) -> dict | None:
    if rules_file is None:
        return None
    from vistka.rules import RuleError, rule_from_mapping

    data = yaml.safe_load(rules_file.read_text(encoding="utf-8"))  # YAML is a superset of JSON
    try:
        rule_from_mapping({"name": rules_file.name, **(data or {})}, source=rules_file.name)
    except (RuleError, TypeError) as error:
        raise click.BadParameter(str(error), param_hint="--rules") from None
    return data
