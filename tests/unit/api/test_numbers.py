"""Numbers and money as each language writes them (`api.i18n.numbers`), against the hand-worked table."""

from __future__ import annotations

import pytest

from api.i18n import LANGUAGES
from api.i18n.numbers import format_count, format_money
from api.pages.rendering import PageContext
from tests.unit.api.number_cases import CASES, NBSP, NNBSP


@pytest.mark.parametrize("code", sorted(LANGUAGES))
@pytest.mark.parametrize(("case", "expected"), CASES, ids=[f"{a}-{c or 'none'}-{e}" for (a, c, e), _ in CASES])
def test_money_as_each_language_writes_it(code, case, expected):
    amount, currency, exponent = case
    tag = LANGUAGES[code].number_locale
    assert format_money(amount, currency, tag, exponent=exponent) == expected[code]


def test_every_language_is_in_the_table():
    assert all(set(expected) == set(LANGUAGES) for _, expected in CASES)


def test_arabic_follows_morocco_with_latin_digits():
    assert LANGUAGES["ar"].number_locale == "ar-MA"
    assert {LANGUAGES[code].number_locale for code in ("en", "es", "fr", "ru")} == {"en", "es", "fr", "ru"}


def test_money_stays_exact_beyond_a_float():
    # 2**53 + 1 units, which a float would round to 2**53; and a cent more than a float's 0.1 + 0.2
    assert format_money(9_007_199_254_740_993, "EUR", "en") == "€9,007,199,254,740,993"
    assert format_money(9_007_199_254_740_993, "EUR", "es", exponent=2) == f"90.071.992.547.409,93{NBSP}€"


def test_lowercase_currency_codes_are_iso_codes():
    assert format_money(2500, "eur", "fr") == f"2{NNBSP}500{NBSP}€"


@pytest.mark.parametrize(
    ("code", "expected"), [("en", "12,345"), ("es", "12.345"), ("fr", f"12{NNBSP}345"), ("ar", "12.345")]
)
def test_counts(code, expected):
    assert format_count(12_345, LANGUAGES[code].number_locale) == expected


def test_the_page_formats_in_its_language():
    page = PageContext(LANGUAGES["es"], "token", set_language=False)
    assert (page.money(450_000, "EUR"), page.count(1_234), page.count(12_345)) == (f"450.000{NBSP}€", "1234", "12.345")
