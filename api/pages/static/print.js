// Shows the Print button of the participation certificate (without scripts, the browser's own Print works).
"use strict";
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
