"""Money as integers: amounts are whole numbers of the election's counting unit, never floats.

pabulib files count in whole currency units (PLN, EUR); an election defined through the API may count in cents.
Either way the engine only ever adds and compares integers, so no rounding can change an outcome.
"""

from __future__ import annotations

import re

__all__ = ["format_amount", "parse_amount"]

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL_ZEROS = re.compile(r"([+-]?\d+)\.0*")


def parse_amount(text: str) -> int:
    """Parse an integer amount, accepting a redundant `.0` fraction (`"1500.00"`) but nothing that would round.

    Raises:
        ValueError: when the text is not an integer amount.

    >>> parse_amount("1500"), parse_amount(" 70.00 ")
    (1500, 70)
    """
    stripped = text.strip()
    if _INTEGER.fullmatch(stripped):
        return int(stripped)
    match = _DECIMAL_ZEROS.fullmatch(stripped)
    if match:
        return int(match.group(1))
    msg = f"{text!r} is not an integer amount"
    raise ValueError(msg)


def format_amount(amount: int, currency: str = "", *, exponent: int = 0) -> str:
    """Format an integer amount with thousands separators, shifting `exponent` decimal places.

    >>> format_amount(8697250, "PLN")
    '8,697,250 PLN'
    >>> format_amount(123456, "EUR", exponent=2)
    '1,234.56 EUR'
    """
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**exponent)
    text = f"{sign}{whole:,}"
    if exponent:
        text += f".{frac:0{exponent}d}"
    return f"{text} {currency}".rstrip()
