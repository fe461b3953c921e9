/* The juror's grid: keeps « N / M critères renseignés » in the save bar up to date while choices are made.
   Progressive enhancement: the server renders the count; without this script it is the count at load. */
(function () {
  "use strict";

  function filled(item) {
    if (item.querySelector("input[type=radio]:checked")) { return true; }
    var text = item.querySelector("input[type=text], input:not([type])");
    return Boolean(text && text.value.trim());
  }

  document.addEventListener("DOMContentLoaded", function () {
    var progress = document.querySelector("[data-grid-progress]");
    var done = progress && progress.querySelector("[data-grid-done]");
    var form = progress && progress.closest("form");
    if (!done || !form) { return; }
    function update() {
      var count = 0;
      form.querySelectorAll("[data-grid-item]").forEach(function (item) { if (filled(item)) { count += 1; } });
      if (done.textContent !== String(count)) { done.textContent = String(count); }
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  });
})();
