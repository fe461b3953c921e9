/* Progressive enhancement of every page (loaded by base.html). Everything works without it:
 * the navigation is always shown and the error summary is the first thing after the title.
 * With it:
 * - after a form comes back with errors, the focus moves to its error summary (which is announced
 *   and lists links to each field), unless a form asked to focus something else (data-focus);
 * - on narrow screens, the "Menu" button of the header shows and hides the navigation and the
 *   language form (aria-expanded; Escape closes it and gives the focus back to the button). */
(function () {
  "use strict";

  function focusErrorSummary() {
    if (document.querySelector("[data-focus]")) { return; }  // livret-forms.js focuses that entry
    var summary = document.querySelector(".error-summary[tabindex]");
    if (summary) { summary.focus(); }
  }

  function enhanceMenu() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-button");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    var setOpen = function (open) { button.setAttribute("aria-expanded", open ? "true" : "false"); };
    var isOpen = function () { return button.getAttribute("aria-expanded") === "true"; };
    setOpen(false);
    button.hidden = false;
    header.classList.add("has-menu-button");
    button.addEventListener("click", function () { setOpen(!isOpen()); });
    header.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && isOpen() && button.offsetParent !== null) {
        setOpen(false);
        button.focus();
      }
    });
  }

  // A long job's progress (data-progress-url: a JSON status with "done", "sealed" and "signed"): the
  // figures are updated in place every few seconds, read out politely; the page reloads once it is done.
  function followProgress() {
    var box = document.querySelector("[data-progress-url]");
    if (!box || !window.fetch) { return; }
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var tick = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { return; }
          if (bar) { bar.max = state.signed; bar.value = state.sealed; }
          if (text) { text.textContent = text.getAttribute("data-template")
            .replace("%(sealed)s", state.sealed).replace("%(total)s", state.signed); }
          if (state.done) { window.location.reload(); } else { window.setTimeout(tick, 3000); }
        })
        .catch(function () { window.setTimeout(tick, 10000); });
    };
    window.setTimeout(tick, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceMenu();
    focusErrorSummary();
    followProgress();
  });
})();
