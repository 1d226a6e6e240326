// Paper and kiosk ballots typed as project numbers: shows the running total and every slip at once.
// The server reads the same numbers with the same messages, so this script only makes keying faster.
"use strict";
(function () {
  const input = document.querySelector("[data-entry]");
  const list = document.getElementById("project-numbers");
  if (!input || !list) return;
  const running = document.getElementById("running");
  const projects = {};
  list.querySelectorAll("li[data-number]").forEach(function (item) {
    projects[item.dataset.number] = parseInt(item.dataset.cost, 10);
  });
  const limit = parseInt(input.dataset.limit, 10);
  const maxCount = parseInt(input.dataset.max, 10);
  const currency = input.dataset.currency;
  function money(amount) { return window.pbvoteNumbers.money(amount, currency); }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }
  function check() {
    const tokens = input.value.trim().split(/[\s,;+.]+/).filter(function (t) { return t !== ""; });
    const seen = [];
    const problems = [];
    let total = 0;
    tokens.forEach(function (token) {
      if (!/^\d+$/.test(token)) {
        problems.push(fill(input.dataset.msgNotNumber, { text: token }));
      } else if (!(String(parseInt(token, 10)) in projects)) {
        problems.push(fill(input.dataset.msgUnknown, { number: parseInt(token, 10) }));
      } else if (seen.indexOf(parseInt(token, 10)) >= 0) {
        problems.push(fill(input.dataset.msgTwice, { number: parseInt(token, 10) }));
      } else {
        seen.push(parseInt(token, 10));
        total += projects[String(parseInt(token, 10))];
      }
    });
    if (!isNaN(limit) && total > limit) {
      problems.push(fill(input.dataset.msgOverCost, { total: money(total), limit: money(limit) }));
    }
    if (!isNaN(maxCount) && seen.length > maxCount) {
      problems.push(fill(input.dataset.msgTooMany, { count: seen.length, max: maxCount }));
    }
    const summary = fill(input.dataset.msgTotal, { total: money(total), count: seen.length });
    running.textContent = problems.length ? summary + " · " + problems.join(" ") : summary;
    running.classList.toggle("bad", problems.length > 0);
    input.setAttribute("aria-invalid", problems.length ? "true" : "false");
  }
  input.addEventListener("input", check);
  input.focus();
  check();
})();
