/* Progressive enhancement of the Livret forms. Everything works without this script:
 * conditional groups stay visible, every block of competencies is listed, the add / remove
 * buttons of repeatable sheets submit the form and the server adds or removes the sheet.
 * With it: conditional groups are hidden when they do not apply, the competency picker shows
 * only the chosen block, focus moves to the sheet just added, and leaving a page with unsaved
 * changes asks for confirmation. */
(function () {
  "use strict";

  function valueOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox")) {
        if (input.checked) { values.push(input.value); }
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function updateConditionals(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (group) {
      var rule = group.getAttribute("data-show-when");
      var cut = rule.indexOf("=");
      var name = rule.slice(0, cut);
      var expected = rule.slice(cut + 1).split("|");
      var current = valueOf(form, name);
      var show = current.some(function (v) { return expected.indexOf(v) !== -1; });
      group.hidden = !show;
    });
  }

  function updatePickers(form) {
    form.querySelectorAll("[data-block-field]").forEach(function (picker) {
      var block = valueOf(form, picker.getAttribute("data-block-field"))[0];
      picker.querySelectorAll("[data-block]").forEach(function (group) {
        group.hidden = Boolean(block) && group.getAttribute("data-block") !== block;
      });
    });
  }

  function enhance(form) {
    var dirty = false;
    var update = function () { updateConditionals(form); updatePickers(form); };
    form.addEventListener("change", function () { dirty = true; update(); });
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    if (form.hasAttribute("data-warn-unsaved")) {
      window.addEventListener("beforeunload", function (event) {
        if (dirty) { event.preventDefault(); event.returnValue = ""; }
      });
    }
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(enhance);
    var focus = document.querySelector("[data-focus]");
    if (focus) {
      var first = focus.querySelector("input:not([type=hidden]), textarea, select");
      (first || focus).focus();
    } else {
      var summary = document.getElementById("error-summary");
      if (summary) { summary.focus(); }
    }
  });
})();
