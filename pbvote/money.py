"""Money as integers: amounts are whole numbers of the election's counting unit, never floats.

pabulib files count in whole currency units (PLN, EUR); an election defined through the API may count in cents.
Either way the engine only ever adds and compares integers, so no rounding can change an outcome. How an amount is
written for people is the pages' concern, in each language's conventions (`api.i18n.numbers`).
"""

from __future__ import annotations

import re

__all__ = ["parse_amount"]

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
