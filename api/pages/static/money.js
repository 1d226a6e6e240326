// Money and counts as the page's language writes them: Intl.NumberFormat in the locale the server formats with
// (api.i18n.numbers, <html data-number-locale>), Latin digits, exactly `exponent` decimals. Amounts are integers of
// the election's counting unit, handed to Intl as decimal strings so nothing is rounded through a float.
"use strict";
(function () {
  const locale = document.documentElement.dataset.numberLocale || document.documentElement.lang || "en";
  const formats = {};

  function formatter(currency, exponent) {
    const key = currency + "/" + exponent;
    if (!(key in formats)) {
      const options = { minimumFractionDigits: exponent, maximumFractionDigits: exponent, numberingSystem: "latn" };
      if (/^[A-Z]{3}$/.test(currency)) {
        options.style = "currency";
        options.currency = currency;
      }
      formats[key] = new Intl.NumberFormat(locale, options);
    }
    return formats[key];
  }
  function decimal(amount, exponent) {
    const digits = String(Math.abs(amount)).padStart(exponent + 1, "0");
    const cut = digits.length - exponent;
    return (amount < 0 ? "-" : "") + digits.slice(0, cut) + (exponent ? "." + digits.slice(cut) : "");
  }
  function money(amount, currency, exponent) {
    const places = exponent || 0;
    const code = (currency || "").trim().toUpperCase();
    const text = formatter(/^[A-Z]{3}$/.test(code) ? code : "", places).format(decimal(amount, places));
    return code && !/^[A-Z]{3}$/.test(code) ? text + "\u00a0" + currency.trim() : text;
  }
  function count(value) { return formatter("", 0).format(decimal(value, 0)); }
  window.pbvoteNumbers = { locale: locale, money: money, count: count };
})();
