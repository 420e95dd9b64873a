from pathlib import Path

import pytest

from vistka.config.options import OPTIONS, SettingError, read_options

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_defaults_without_environment():
    values = read_options({})
    assert values["VISTKA_LANGUAGE"] == "en" and values["VISTKA_PUBLISH_UNTRANSLATED"] is False


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [("VISTKA_DEBUG", "yes", True), ("VISTKA_ALLOWED_HOSTS", "a.org, b.org", ["a.org", "b.org"]),
     ("VISTKA_LANGUAGE", "UK", "uk"), ("VISTKA_MAX_BODY_BYTES", "5000", 5000)],
)
def test_values_are_parsed(name, raw, expected):
    assert read_options({name: raw})[name] == expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [("VISTKA_DEBUG", "maybe"), ("VISTKA_LANGUAGE", "english"), ("VISTKA_TRANSLATION_ENGINE", "babelfish"),
     ("VISTKA_FETCH_TIMEOUT", "soon")],
)
def test_bad_value_names_the_variable(name, raw):
    with pytest.raises(SettingError, match=name):
        read_options({name: raw})


def test_every_setting_is_documented():
    documented = DOCS.read_text()
    missing = [option.name for option in OPTIONS if f"`{option.name}`" not in documented]
    assert not missing, f"add these to docs/settings.md: {missing}"
