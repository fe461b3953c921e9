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

  document.addEventListener("DOMContentLoaded", function () {
    enhanceMenu();
    focusErrorSummary();
  });
})();
