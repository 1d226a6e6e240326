// The live budget meter of the ballot page: refuses a tick that would go over the budget, an investment line's
// cap or the most projects allowed, and stops a submission with too few. The server checks the same rules and
// shows the same messages (they come from the page's data-msg-* attributes) and the same amounts (money.js writes
// them as the server does), so the page works without this script.
"use strict";
(function () {
  const form = document.getElementById("ballot");
  if (!form) return;
  const live = document.getElementById("live");
  const boxes = Array.from(form.querySelectorAll('input[type="checkbox"][name="project"]'));
  const meters = Array.from(form.querySelectorAll(".meter-row"));
  const maxCount = parseInt(form.dataset.max, 10);
  const minCount = parseInt(form.dataset.min, 10);
  const currency = form.dataset.currency;
  function money(amount) { return window.pbvoteNumbers.money(amount, currency); }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }
  function categories(box) {
    const text = box.closest(".project").dataset.categories;
    return text ? text.split("|") : [];
  }
  function spent(category) {
    return boxes.filter(function (b) {
      return b.checked && (category === "" || categories(b).indexOf(category) >= 0);
    }).reduce(function (sum, b) { return sum + parseInt(b.dataset.cost, 10); }, 0);
  }
  function refresh() {
    meters.forEach(function (row) {
      const category = row.dataset.meter;
      const limit = parseInt(row.dataset.limit, 10);
      const used = spent(category);
      row.querySelector("meter").value = used;
      row.querySelector("output").textContent = fill(form.dataset.msgMeter, { spent: money(used), limit: money(limit) });
    });
  }
  function refusal(box) {
    const count = boxes.filter(function (b) { return b.checked; }).length;
    if (!isNaN(maxCount) && count > maxCount) {
      return fill(form.dataset.msgTooMany, { count: count, max: maxCount });
    }
    for (const row of meters) {
      const category = row.dataset.meter;
      if (row.dataset.enforced !== "yes") continue;
      if (category !== "" && categories(box).indexOf(category) < 0) continue;
      const limit = parseInt(row.dataset.limit, 10);
      const used = spent(category);
      if (used > limit) {
        const values = { total: money(used), limit: money(limit), category: category };
        return fill(category === "" ? form.dataset.msgOverCost : form.dataset.msgOverLine, values);
      }
    }
    return "";
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      live.textContent = "";
      if (box.checked) {
        const message = refusal(box);
        if (message) {
          box.checked = false;
          live.textContent = message;
        }
      }
      refresh();
    });
  });
  form.addEventListener("submit", function (event) {
    const count = boxes.filter(function (b) { return b.checked; }).length;
    if (!isNaN(minCount) && count < minCount) {
      event.preventDefault();
      live.textContent = fill(form.dataset.msgTooFew, { count: count, min: minCount });
      live.focus();
    }
  });
  const filterBox = document.getElementById("filter-box");
  if (filterBox) {
    filterBox.hidden = false;
    document.getElementById("filter").addEventListener("change", function (event) {
      const wanted = event.target.value;
      boxes.forEach(function (box) {
        box.closest(".project").hidden = wanted !== "" && categories(box).indexOf(wanted) < 0;
      });
    });
  }
  live.tabIndex = -1;
  refresh();
})();
