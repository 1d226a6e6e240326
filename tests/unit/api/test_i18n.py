"""The gettext catalogs: every message of the pages translated in every language, and the .mo files up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from api.i18n import LANGUAGES, LOCALES, choose_language, translations

REPO = Path(__file__).resolve().parents[3]
# as `make messages` extracts: `pgettext(context, message)` keeps its context (Babel's spec `1c,2`)
KEYWORDS = {"gettext": None, "pgettext": ((1, "c"), 2), "raw_": None, "_": None}
METHODS = [("api/pages/**.py", "python"), ("api/pages/templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _source_messages() -> set[tuple[str | None, str]]:
    """Every message of the pages' code and templates, with its context (`None` for plain gettext)."""
    found = extract_from_dir(
        str(REPO),
        METHODS,
        keywords=KEYWORDS,
        options_map={"api/pages/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    return {(context, message) for _, _, message, _, context in found if isinstance(message, str)}


@pytest.fixture(name="messages", scope="module")
def fx_messages() -> set[tuple[str | None, str]]:
    messages = _source_messages()
    assert len(messages) > 100  # the extractor found the pages' messages, not nothing
    # the stored values the pages put in words, each in its own context (an election "open" is not a batch's)
    assert {("election status", "open"), ("batch status", "open"), ("staff role", "coordinator")} <= messages
    return messages


def _catalog(code: str):
    with (LOCALES / code / "LC_MESSAGES" / "pbvote.po").open("rb") as handle:
        return read_po(handle, locale=code)


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_message_is_translated(code, messages):
    catalog = _catalog(code)
    missing = sorted(
        (str(context), message)
        for context, message in messages
        if catalog.get(message, context) is None or not catalog.get(message, context).string
    )
    assert missing == [], f"run `make messages` and translate these in {code}"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_no_translation_is_fuzzy(code):
    # a fuzzy entry is a guess `pybabel update` made from a similar message; gettext does not use it
    assert [(m.context, m.id) for m in _catalog(code) if m.id and m.fuzzy] == []


@pytest.mark.parametrize(
    ("code", "election", "batch"),
    [("en", "open", "open"), ("es", "abierta", "abierto"), ("fr", "ouverte", "ouvert"), ("ru", "открыто", "открыта")],
)
def test_the_same_word_in_two_contexts(code, election, batch):
    # an election (es la elección, fr l'élection, ru голосование) and a batch (el lote, le lot, пачка) are "open"
    # in different forms: the compiled catalog tells them apart by their context
    catalog = translations(code)
    assert (catalog.pgettext("election status", "open"), catalog.pgettext("batch status", "open")) == (election, batch)


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_translations_keep_their_placeholders(code):
    wrong = [
        message.id
        for message in _catalog(code)
        if message.id and sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]
    assert wrong == []


def _translations(catalog: Catalog) -> dict[object, object]:
    """Every message's translation, by context and id (a plural's id and strings are tuples); no header."""
    return {(m.context, m.id): m.string for m in catalog if m.id and not m.fuzzy}


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_compiled_catalog_matches_its_po(code):
    # what the pages read is the .mo: it must say what the .po says (compared message by message, since the
    # bytes also carry the compiling babel's version in the header)
    with (LOCALES / code / "LC_MESSAGES" / "pbvote.mo").open("rb") as handle:
        committed = read_mo(handle)
    source = _catalog(code)
    assert _translations(committed) == _translations(source), "the .mo is stale: run `make messages`"
    assert committed.plural_forms == source.plural_forms


@pytest.mark.parametrize(
    ("chosen", "header", "expected"),
    [
        (None, "ar-EG,ar;q=0.9,en;q=0.8", "ar"),
        (None, "de-DE,de;q=0.9,ru;q=0.5,fr;q=0.4", "ru"),
        ("fr", "ar", "fr"),
        ("xx", "es-CO", "es"),
        (None, "", "en"),
        (None, "en;q=0, fr;q=0.1", "fr"),
    ],
)
def test_language_choice(chosen, header, expected):
    assert choose_language(chosen, header) == expected
