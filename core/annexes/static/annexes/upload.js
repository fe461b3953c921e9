/* Annex upload: one XMLHttpRequest per row, with a progress bar and spoken announcements.
 *
 * Without this script the form is a plain multipart form (every row in one POST).
 * With it, each row with a file is sent on its own to the same URL, asking for JSON:
 * its <progress> follows the upload, a polite live region announces every quarter,
 * then the server's verdict (added, or the French reason of the refusal, tied to
 * the row's file input with aria-describedby). Nothing typed is lost: refused rows
 * keep their title and competencies. When every row succeeded the page reloads to
 * show the updated list.
 */
(function () {
  "use strict";

  var form = document.getElementById("annex-upload");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var container = form.querySelector(".annex-rows");
  var template = document.getElementById("annex-row-template");
  var rowsInput = form.querySelector("input[name=rows]");
  var addButton = document.getElementById("add-row");
  var submitButton = document.getElementById("upload-submit");
  var live = document.getElementById("upload-live");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var maxRows = parseInt(form.getAttribute("data-max-rows"), 10) || 20;
  var lang = document.documentElement.lang || "fr";
  var english = lang.indexOf("en") === 0;

  function t(fr, en) {
    return english ? en : fr;
  }

  function announce(text) {
    // Re-setting the content makes screen readers speak it even when it repeats.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  Array.prototype.forEach.call(form.querySelectorAll(".no-js-only"), function (el) { el.hidden = true; });

  function rows() {
    return Array.prototype.slice.call(container.querySelectorAll(".annex-row"));
  }

  function rowLabel(row) {
    return t("Fichier ", "File ") + row.querySelector("legend .row-number").textContent;
  }

  function baseName(name) {
    var parts = name.split(/[\\/]/);
    return parts[parts.length - 1].replace(/[\u0000-\u001f<>:"|?*]/g, "_").trim();
  }

  function wireRow(row) {
    var file = row.querySelector("input[type=file]");
    var title = row.querySelector(".annex-title");
    // The title defaults to the file name until the candidate types one.
    title.addEventListener("input", function () { title.setAttribute("data-typed", title.value ? "1" : ""); });
    if (title.value) {
      title.setAttribute("data-typed", "1");
    }
    file.addEventListener("change", function () {
      if (file.files.length && !title.getAttribute("data-typed")) {
        title.value = baseName(file.files[0].name);
      }
    });
  }

  function addRow() {
    var count = rows().length;
    if (count >= maxRows) {
      announce(t("Vous ne pouvez pas ajouter plus de " + maxRows + " lignes.",
                 "You cannot add more than " + maxRows + " rows."));
      return;
    }
    var html = template.innerHTML.replace(/__i__/g, String(count));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.querySelector(".annex-row");
    Array.prototype.forEach.call(row.querySelectorAll(".row-number"), function (el) { el.textContent = count + 1; });
    container.appendChild(row);
    rowsInput.value = String(count + 1);
    wireRow(row);
    row.querySelector("input[type=file]").focus();
  }

  rows().forEach(wireRow);
  addButton.hidden = false;
  addButton.addEventListener("click", addRow);

  function setError(row, message) {
    var file = row.querySelector("input[type=file]");
    var id = file.id + "-error";
    var p = document.getElementById(id);
    if (!p) {
      p = document.createElement("p");
      p.className = "error";
      p.id = id;
      file.parentNode.insertBefore(p, file);
    }
    p.textContent = message;
    row.classList.add("has-error");
    file.setAttribute("aria-invalid", "true");
    var described = (file.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(id) < 0) {
      described.push(id);
      file.setAttribute("aria-describedby", described.join(" "));
    }
  }

  function clearError(row) {
    var file = row.querySelector("input[type=file]");
    var p = document.getElementById(file.id + "-error");
    if (p) {
      p.parentNode.removeChild(p);
    }
    file.removeAttribute("aria-invalid");
    var described = (file.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== file.id + "-error";
    });
    file.setAttribute("aria-describedby", described.join(" "));
    row.classList.remove("has-error");
  }

  function sendRow(row) {
    return new Promise(function (resolve) {
      var index = row.getAttribute("data-index");
      var file = row.querySelector("input[type=file]");
      var status = row.querySelector(".upload-status");
      var box = row.querySelector(".upload-progress");
      var bar = box.querySelector("progress");
      var percent = box.querySelector(".upload-percent");
      var label = rowLabel(row);
      var data = new FormData();
      data.append("csrf_token", csrf);
      data.append("rows", "1");
      data.append("file-0", file.files[0]);
      data.append("title-0", row.querySelector(".annex-title").value);
      data.append("role-0", row.querySelector(".annex-role").value);
      Array.prototype.forEach.call(row.querySelectorAll("input[name='competencies-" + index + "']:checked"),
        function (box) { data.append("competencies-0", box.value); });

      clearError(row);
      box.hidden = false;
      bar.value = 0;
      status.textContent = t("Envoi en cours…", "Uploading…");
      var lastQuarter = 0;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable) {
          return;
        }
        var value = Math.floor((ev.loaded / ev.total) * 100);
        bar.value = value;
        bar.textContent = value + " %";
        percent.textContent = value + " %";
        var quarter = Math.floor(value / 25);
        if (quarter > lastQuarter && value < 100) {
          lastQuarter = quarter;
          announce(label + t(" : " + value + " % envoyés.", ": " + value + "% sent."));
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        percent.textContent = "100 %";
        status.textContent = t("Fichier envoyé, vérification en cours…", "File sent, being checked…");
        announce(label + t(" : envoyé, vérification en cours.", ": sent, being checked."));
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try {
          answer = JSON.parse(xhr.responseText);
        } catch (e) {
          answer = null;
        }
        if (xhr.status === 201 && answer && answer.annex) {
          status.textContent = answer.message;
          row.classList.add("is-done");
          Array.prototype.forEach.call(row.querySelectorAll("input"), function (el) {
            el.disabled = true;
          });
          announce(label + " : " + answer.message);
          resolve(true);
          return;
        }
        var message = answer && answer.error ? answer.error.message
          : t("Le serveur n'a pas pu traiter ce fichier (erreur " + xhr.status + ").",
              "The server could not process this file (error " + xhr.status + ").");
        box.hidden = true;
        status.textContent = "";
        setError(row, message);
        announce(label + " : " + message);
        resolve(false);
      });
      xhr.addEventListener("error", function () {
        box.hidden = true;
        status.textContent = "";
        setError(row, t("L'envoi a été interrompu (connexion perdue ?). Réessayez.",
                         "The upload was interrupted (connection lost?). Try again."));
        resolve(false);
      });
      xhr.send(data);
    });
  }

  form.addEventListener("submit", function (ev) {
    var pending = rows().filter(function (row) {
      var file = row.querySelector("input[type=file]");
      return !row.classList.contains("is-done") && file.files && file.files.length;
    });
    if (!pending.length) {
      return; // the server answers with its message (no file chosen)
    }
    ev.preventDefault();
    submitButton.disabled = true;
    var failed = [];
    var ok = 0;
    // One file at a time: the server checks each one fully before the next starts.
    pending.reduce(function (chain, row) {
      return chain.then(function () {
        return sendRow(row).then(function (success) {
          if (success) { ok += 1; } else { failed.push(row); }
        });
      });
    }, Promise.resolve()).then(function () {
      submitButton.disabled = false;
      if (!failed.length) {
        announce(t(ok + " fichier(s) ajouté(s). La liste est mise à jour.", ok + " file(s) added. Updating the list."));
        window.location.assign(form.getAttribute("data-list-url"));
        return;
      }
      announce(t(failed.length + " fichier(s) refusé(s), " + ok + " ajouté(s). Corrigez les lignes signalées.",
                 failed.length + " file(s) refused, " + ok + " added. Fix the rows shown."));
      failed[0].querySelector("input[type=file]").focus();
    });
  });
}());
