"""Numbers and money as each language writes them, exactly as the pages' script writes them with `Intl.NumberFormat`.

Babel reads the locale's CLDR patterns and symbols (grouping and decimal marks, where the currency goes, the
currency's symbol); two CLDR rules that `Intl.NumberFormat` applies and Babel 2.19 does not are added here, so the
server's text and the browser's are the same (a browser test checks both against one table):

- currency spacing (CLDR `currencySpacing`, the same in every locale): a no-break space goes between a digit and a
  currency symbol that does not end (or begin) in a symbol character, so English writes `€1,000` but `COP 1,000`;
- minimum grouping digits (CLDR `minimumGroupingDigits`, not in Babel's data): Spanish leaves four-digit numbers
  ungrouped, `1000`, but writes `10.000`.

Amounts stay integers of the election's counting unit; `exponent` shifts the decimal mark (cents: 2) without any
rounding, through `Decimal`. Digits are always Latin (`numbering_system="latn"`, the script's `numberingSystem`).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_symbol

__all__ = ["format_count", "format_money"]

# CLDR minimumGroupingDigits of the locales the pages use, where it is not 1 (common/main/es.xml: 2)
_MINIMUM_GROUPING = {"es": 2}
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_NO_BREAK_SPACE = "\u00a0"


@cache
def _locale(tag: str) -> Locale:
    return Locale.parse(tag, sep="-")


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char).startswith("S")


def _spaced(affixes: tuple[str, str], symbol: str, *, before: bool) -> tuple[str, str]:
    """The prefixes (`before`) or suffixes with CLDR's currency spacing between the symbol and the digits."""
    if not symbol:
        return affixes
    if before:
        return tuple(a + _NO_BREAK_SPACE if a.endswith("¤") and not _is_symbol(symbol[-1]) else a for a in affixes)  # type: ignore[return-value]
    return tuple(_NO_BREAK_SPACE + a if a.startswith("¤") and not _is_symbol(symbol[0]) else a for a in affixes)  # type: ignore[return-value]


@cache
def _pattern(tag: str, currency: str, exponent: int) -> NumberPattern:
    """The locale's currency pattern (decimal pattern without a currency), showing exactly `exponent` decimals."""
    locale = _locale(tag)
    base = locale.currency_formats["standard"] if currency else locale.decimal_formats[None]
    symbol = get_currency_symbol(currency, locale) if currency else ""
    return NumberPattern(
        base.pattern,
        _spaced(base.prefix, symbol, before=True),
        _spaced(base.suffix, symbol, before=False),
        base.grouping,
        base.int_prec,
        (exponent, exponent),
        base.exp_prec,
        base.exp_plus,
        base.number_pattern,
    )


def _format(tag: str, amount: int, currency: str, exponent: int) -> str:
    value = Decimal(amount).scaleb(-exponent)
    pattern = _pattern(tag, currency, exponent)
    whole_digits = len(str(abs(amount) // 10**exponent))
    grouped = whole_digits >= pattern.grouping[0] + _MINIMUM_GROUPING.get(_locale(tag).language, 1)
    text: str = pattern.apply(
        value, _locale(tag), currency=currency or None, currency_digits=False, group_separator=grouped
    )
    return text


def format_money(amount: int, currency: str, tag: str, *, exponent: int = 0) -> str:
    r"""An amount of money as the language `tag` (BCP 47, e.g. `ar-MA`) writes it, with the currency's symbol.

    A currency that is not an ISO 4217 code is written after the number as it is; none, just the number.

    >>> format_money(1_000_000, "EUR", "es"), format_money(1_000_000, "COP", "en"), format_money(1500, "EUR", "es")
    ('1.000.000\xa0€', 'COP\xa01,000,000', '1500\xa0€')
    >>> format_money(123456, "EUR", "fr", exponent=2), format_money(70, "", "ru")
    ('1\u202f234,56\xa0€', '70')
    """
    code = currency.strip().upper()
    if code and not _CURRENCY_CODE.fullmatch(code):
        return f"{_format(tag, amount, '', exponent)}{_NO_BREAK_SPACE}{currency.strip()}"
    return _format(tag, amount, code, exponent)


def format_count(count: int, tag: str) -> str:
    r"""A whole number (votes, ballots, residents) as the language `tag` writes it.

    >>> format_count(12345, "es"), format_count(1234, "es"), format_count(12345, "ru")
    ('12.345', '1234', '12\xa0345')
    """
    return _format(tag, count, "", 0)
