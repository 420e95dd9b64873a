"""Per-outlet extraction rules: CSS selectors kept as data (like Miniflux's scraper rules).

`rules.yaml` ships rules keyed by URL pattern; an operator can override any field per source
(`Source.extraction_rules`). Every rule is validated once, when loaded: an unknown key or a
selector that does not compile is an error that names the rule, never a silent skip at run time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from cssselect import GenericTranslator, SelectorError

RULES_FILE = Path(__file__).with_name("rules.yaml")
SELECTOR_FIELDS = ("body", "title", "published", "updated", "authors", "image", "lead")


class RuleError(ValueError):
    """A rule is malformed; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    name: str
    match: tuple[str, ...] = ()
    body: str = ""
    title: str = ""
    published: str = ""
    updated: str = ""
    authors: str = ""
    image: str = ""
    lead: str = ""
    date_format: str = ""  # strptime format for dates shown only as text, e.g. "%d.%m.%Y %H:%M"
    timezone: str = ""  # IANA zone for such dates, e.g. "Europe/Kyiv"
    remove: tuple[str, ...] = ()
    xpaths: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def matches(self, url: str) -> bool:
        parts = urlsplit(url)
        target = f"{(parts.hostname or '').removeprefix('www.')}{parts.path or '/'}"
        return any(fnmatchcase(target, pattern) for pattern in self.match)

    def merged(self, override: dict | None) -> Rule:
        """This rule with an operator's per-source fields on top (validated like a shipped rule)."""
        if not override:
            return self
        base = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "xpaths"}
        return rule_from_mapping({**base, **override}, source=f"override of {self.name}")


def rule_from_mapping(data: dict, source: str = "rule") -> Rule:
    """Build and validate one rule from YAML/JSON data."""
    if not isinstance(data, dict):
        raise RuleError(f"{source}: a rule must be a mapping, got {type(data).__name__}")
    known = {f.name for f in fields(Rule)} - {"xpaths"}
    unknown = set(data) - known
    name = str(data.get("name") or source)
    if unknown:
        raise RuleError(f"{name}: unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    values = {key: _as_tuple(data[key]) if key in ("match", "remove") else _as_text(data[key], name, key)
              for key in data if key != "name"}
    rule = Rule(name=name, **values)
    _check_timezone(rule)
    for key, selector in _selectors(rule):
        rule.xpaths[key] = _compile(selector, name, key)
    return rule


@functools.cache
def shipped_rules() -> tuple[Rule, ...]:
    return load_rules(RULES_FILE)


def load_rules(path: Path) -> tuple[Rule, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise RuleError(f"{path}: expected a list of rules")
    rules = tuple(rule_from_mapping(item, source=f"{path.name} entry {index}") for index, item in enumerate(data))
    names = [rule.name for rule in rules]
    if len(names) != len(set(names)):
        raise RuleError(f"{path}: rule names must be unique")
    return rules


def rule_for(url: str, override: dict | None = None) -> Rule | None:
    """The shipped rule whose pattern matches url, with the source's override applied."""
    shipped = next((rule for rule in shipped_rules() if rule.matches(url)), None)
    if override:
        return (shipped or Rule(name="source override")).merged(override)
    return shipped


def remove_selected(tree, selectors: list[str], only=None) -> None:
    """Drop the elements matching CSS selectors that come from page data; a bad selector is ignored.
    `only(element)`, when given, must agree before an element goes."""
    for selector in selectors:
        try:
            xpath = GenericTranslator().css_to_xpath(selector)
        except SelectorError:
            continue
        for element in tree.xpath(xpath):
            if element.getparent() is not None and (only is None or only(element)):
                element.drop_tree()


def _selectors(rule: Rule) -> list[tuple[str, str]]:
    pairs = [(key, getattr(rule, key)) for key in SELECTOR_FIELDS if getattr(rule, key)]
    return pairs + [(f"remove[{index}]", selector) for index, selector in enumerate(rule.remove)]


def _compile(selector: str, name: str, key: str) -> str:
    try:
        return GenericTranslator().css_to_xpath(selector)
    except SelectorError as error:
        raise RuleError(f"{name}: {key} selector {selector!r} is not valid CSS: {error}") from None


def _check_timezone(rule: Rule) -> None:
    if rule.timezone:
        try:
            ZoneInfo(rule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise RuleError(f"{rule.name}: unknown time zone {rule.timezone!r}") from None


def _as_tuple(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value or [])
    return tuple(str(item) for item in items)


def _as_text(value: object, name: str, key: str) -> str:
    if not isinstance(value, str):
        raise RuleError(f"{name}: {key} must be text, got {type(value).__name__}")
    return value.strip()
