"""The languages of the pages: gettext catalogs for es, en, fr, ar and ru, and choosing one per request.

The messages are written in English in the templates and code; `locales/<lang>/LC_MESSAGES/pbvote.po` hold the
translations and the committed `pbvote.mo` beside each is compiled from it by `make messages` (a test checks that
they agree), so the server reads them with the standard library's gettext and needs no build step. Numbers and
money are written by `numbers.py`, from Babel's CLDR data (a runtime dependency for that alone).
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LOCALES", "Language", "choose_language", "translations"]

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "pbvote"


@dataclass(frozen=True, slots=True)
class Language:
    """A language the pages speak.

    Attributes:
        code: the BCP 47 code, as in `Accept-Language` and `<html lang>`.
        name: the language's own name for itself, as shown in the language switcher.
        direction: `ltr` or `rtl`, for `<html dir>`.
        number_locale: the BCP 47 locale its numbers and money are written in, on the server (`api.i18n.numbers`)
            and in the browser (`Intl.NumberFormat`); Arabic follows Morocco's conventions (`ar-MA`: Latin digits,
            `1.000.000,50`), as residents of Tetouan write them.
    """

    code: str
    name: str
    direction: str = "ltr"
    number_locale: str = ""

    def __post_init__(self) -> None:
        """The number locale defaults to the language itself."""
        if not self.number_locale:
            object.__setattr__(self, "number_locale", self.code)


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("es", "Español"),
        Language("en", "English"),
        Language("fr", "Français"),
        Language("ar", "العربية", "rtl", "ar-MA"),
        Language("ru", "Русский"),
    )
}
DEFAULT_LANGUAGE = "en"


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """The language to answer in: an explicit choice if we speak it, else the browser's best match, else English.

    >>> choose_language(None, "ar-EG,ar;q=0.9,en;q=0.5"), choose_language("ru", "fr"), choose_language("xx", None)
    ('ar', 'ru', 'en')
    >>> choose_language(None, "de;q=1, fr;q=0.3, es;q=0.8")
    'es'
    """
    if requested in LANGUAGES:
        return requested
    best: tuple[float, int, str] | None = None
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        if code not in LANGUAGES:
            continue
        quality = _quality(params)
        if quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, code)
    return best[2] if best else DEFAULT_LANGUAGE


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalog of a language (English is the source: its catalog may be empty).

    Raises:
        KeyError: when the language is not one of `LANGUAGES`.
    """
    language = LANGUAGES[code]
    return gettext.translation(DOMAIN, localedir=LOCALES, languages=[language.code], fallback=code == "en")
