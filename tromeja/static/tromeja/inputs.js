// Form controls without the browser's own language (core/widgets.py):
// no validation bubbles, file inputs behind a localized button, and date
// fields that take the separators of the local format as digits are typed.
(function () {
  "use strict";

  function prepare(root) {
    // The server checks every form and answers in the user's language.
    if (root.tagName === "FORM") root.noValidate = true;
    root.querySelectorAll("form").forEach(function (form) { form.noValidate = true; });
  }

  function showFiles(input) {
    var picker = input.closest(".file-picker");
    var names = picker && picker.querySelector(".file-picker-names");
    if (!names) return;
    var chosen = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    names.textContent = chosen.length ? chosen.join(", ") : names.dataset.empty;
  }

  // "31.12.2026 14:30" → after "3112" typed: "31.12."; only while typing at
  // the end. A separator typed just after one added here is not doubled.
  function separate(input, event) {
    var pattern = input.dataset.localFormat;
    var added = input.dataset.separatorsAdded || "";
    input.dataset.separatorsAdded = "";
    if (!pattern || event.inputType !== "insertText" || !event.data) return;
    if (input.selectionStart !== input.value.length) return;
    var value = input.value;
    if (!/^\d$/.test(event.data)) {
      if (added && added.indexOf(event.data) !== -1) input.value = value.slice(0, -event.data.length);
      return;
    }
    var before = value.length;
    var next = pattern.charAt(value.length);
    while (next && !/\d/.test(next) && value.length < pattern.length) {
      value += next;
      next = pattern.charAt(value.length);
    }
    if (value.length !== before) {
      input.value = value;
      input.dataset.separatorsAdded = value.slice(before);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:load", function (event) { prepare(event.target); });
  document.addEventListener("change", function (event) {
    if (event.target.matches(".file-picker input[type=file]")) showFiles(event.target);
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-local-format]")) separate(event.target, event);
  });
})();
