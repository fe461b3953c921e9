/* Deliberation page: « Désaccords seulement » filters the jurors' grids at once.
   Without this script the checkbox and its button reload the page with ?desaccords=1. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-split-filter]");
    if (!form) { return; }
    var box = form.querySelector("input[type=checkbox]");
    var state = form.querySelector("[role=status]");
    var apply = form.querySelector("[data-split-apply]");
    if (apply) { apply.hidden = true; }
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function filter() {
      var only = box.checked;
      document.querySelectorAll("tr[data-agree]").forEach(function (row) { row.hidden = only; });
      document.querySelectorAll("table[data-split-table]").forEach(function (table) {
        table.hidden = only && !table.querySelector("tbody tr:not([data-agree])");
      });
      if (state) { state.textContent = state.getAttribute(only ? "data-on" : "data-off"); }
      var url = new URL(window.location.href);
      if (only) { url.searchParams.set("desaccords", "1"); } else { url.searchParams.delete("desaccords"); }
      window.history.replaceState(null, "", url);
    }
    box.addEventListener("change", filter);
  });
})();
