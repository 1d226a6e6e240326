"""Amounts and how each language writes them, worked out by hand from CLDR: one table for the server and the browser.

`tests/unit/api/test_numbers.py` checks the server's `api.i18n.numbers` against it and
`tests/browser/test_numbers.py` the pages' `money.js` (`Intl.NumberFormat` in Chromium), so the two agree.

- en: `,` groups, `.` decimals, the symbol before the number, a no-break space after a letter symbol (`COP 1`);
- es: `.` groups, `,` decimals, no group in a four-digit number (`1000 €`, `10.000 €`), the symbol after;
- fr: narrow no-break space (U+202F) groups, `,` decimals, a no-break space (U+00A0) before the symbol;
- ar (Morocco, `ar-MA`): Latin digits, `.` groups, `,` decimals, a right-to-left mark first, the symbol after;
- ru: no-break space (U+00A0, CLDR's Russian group mark) groups, `,` decimals, the symbol after.
"""

from __future__ import annotations

NBSP = "\u00a0"  # no-break space
NNBSP = "\u202f"  # narrow no-break space
RLM = "\u200f"  # right-to-left mark

# (amount in the counting unit, currency, decimal places of the unit) -> en, es, fr, ar, ru
CASES: list[tuple[tuple[int, str, int], dict[str, str]]] = [
    ((0, "EUR", 0), {"en": "€0", "es": f"0{NBSP}€", "fr": f"0{NBSP}€", "ar": f"{RLM}0{NBSP}€", "ru": f"0{NBSP}€"}),
    (
        (999, "EUR", 0),
        {"en": "€999", "es": f"999{NBSP}€", "fr": f"999{NBSP}€", "ar": f"{RLM}999{NBSP}€", "ru": f"999{NBSP}€"},
    ),
    (
        (1000, "EUR", 0),
        {
            "en": "€1,000",
            "es": f"1000{NBSP}€",
            "fr": f"1{NNBSP}000{NBSP}€",
            "ar": f"{RLM}1.000{NBSP}€",
            "ru": f"1{NBSP}000{NBSP}€",
        },
    ),
    (
        (10_000, "EUR", 0),
        {
            "en": "€10,000",
            "es": f"10.000{NBSP}€",
            "fr": f"10{NNBSP}000{NBSP}€",
            "ar": f"{RLM}10.000{NBSP}€",
            "ru": f"10{NBSP}000{NBSP}€",
        },
    ),
    (
        (1_000_000, "EUR", 0),
        {
            "en": "€1,000,000",
            "es": f"1.000.000{NBSP}€",
            "fr": f"1{NNBSP}000{NNBSP}000{NBSP}€",
            "ar": f"{RLM}1.000.000{NBSP}€",
            "ru": f"1{NBSP}000{NBSP}000{NBSP}€",
        },
    ),
    (
        (600_000_000, "COP", 0),
        {
            "en": f"COP{NBSP}600,000,000",
            "es": f"600.000.000{NBSP}COP",
            "fr": f"600{NNBSP}000{NNBSP}000{NBSP}$CO",
            "ar": f"{RLM}600.000.000{NBSP}COP",
            "ru": f"600{NBSP}000{NBSP}000{NBSP}COP",
        },
    ),
    (
        (1_234_567, "MXN", 0),
        {
            "en": "MX$1,234,567",
            "es": f"1.234.567{NBSP}MXN",
            "fr": f"1{NNBSP}234{NNBSP}567{NBSP}$MX",
            "ar": f"{RLM}1.234.567{NBSP}MX$",
            "ru": f"1{NBSP}234{NBSP}567{NBSP}MX$",
        },
    ),
    (
        (1_234_567, "MAD", 0),
        {
            "en": f"MAD{NBSP}1,234,567",
            "es": f"1.234.567{NBSP}MAD",
            "fr": f"1{NNBSP}234{NNBSP}567{NBSP}MAD",
            "ar": f"{RLM}1.234.567{NBSP}د.م.{RLM}",
            "ru": f"1{NBSP}234{NBSP}567{NBSP}MAD",
        },
    ),
    (
        (1_234_567, "RUB", 0),
        {
            "en": f"RUB{NBSP}1,234,567",
            "es": f"1.234.567{NBSP}RUB",
            "fr": f"1{NNBSP}234{NNBSP}567{NBSP}RUB",
            "ar": f"{RLM}1.234.567{NBSP}RUB",
            "ru": f"1{NBSP}234{NBSP}567{NBSP}₽",
        },
    ),
    (
        (8_697_250, "PLN", 0),
        {
            "en": f"PLN{NBSP}8,697,250",
            "es": f"8.697.250{NBSP}PLN",
            "fr": f"8{NNBSP}697{NNBSP}250{NBSP}PLN",
            "ar": f"{RLM}8.697.250{NBSP}PLN",
            "ru": f"8{NBSP}697{NBSP}250{NBSP}PLN",
        },
    ),
    (
        (123_456, "EUR", 2),
        {
            "en": "€1,234.56",
            "es": f"1234,56{NBSP}€",
            "fr": f"1{NNBSP}234,56{NBSP}€",
            "ar": f"{RLM}1.234,56{NBSP}€",
            "ru": f"1{NBSP}234,56{NBSP}€",
        },
    ),
    (
        (5, "EUR", 2),
        {"en": "€0.05", "es": f"0,05{NBSP}€", "fr": f"0,05{NBSP}€", "ar": f"{RLM}0,05{NBSP}€", "ru": f"0,05{NBSP}€"},
    ),
    ((12_345, "", 0), {"en": "12,345", "es": "12.345", "fr": f"12{NNBSP}345", "ar": "12.345", "ru": f"12{NBSP}345"}),
    ((1234, "", 0), {"en": "1,234", "es": "1234", "fr": f"1{NNBSP}234", "ar": "1.234", "ru": f"1{NBSP}234"}),
    (
        (1500, "zł", 0),
        {
            "en": f"1,500{NBSP}zł",
            "es": f"1500{NBSP}zł",
            "fr": f"1{NNBSP}500{NBSP}zł",
            "ar": f"1.500{NBSP}zł",
            "ru": f"1{NBSP}500{NBSP}zł",
        },
    ),
]
