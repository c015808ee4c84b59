// Tromeja's own behaviour. No inline scripts anywhere (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  // Print buttons (a print is logged as a disclosure before the dialog opens).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Fields shown only when another field has a given value.
  document.querySelectorAll("[data-show-when]").forEach(function (block) {
    var spec = block.getAttribute("data-show-when").split("=");
    var inputs = document.querySelectorAll('[name="' + spec[0] + '"]');
    var update = function () {
      var value = null;
      inputs.forEach(function (i) {
        if (i.type === "checkbox") { value = i.checked ? "on" : "off"; }
        else if (i.type === "radio") { if (i.checked) { value = i.value; } }
        else { value = i.value; }
      });
      block.hidden = spec[1].split("|").indexOf(value) === -1;
    };
    inputs.forEach(function (i) { i.addEventListener("change", update); });
    update();
  });
});

// Formsets: add a row from the <template> without leaving the page.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-formset]").forEach(function (set) {
    var prefix = set.getAttribute("data-formset");
    var total = set.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var template = set.querySelector("template.formset-empty");
    var rows = set.querySelector(".formset-rows");
    set.querySelector(".formset-add").addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild.querySelector("input, select");
      if (first) { first.focus(); }
    });
  });
});

// File inputs with a size limit say so before anything is sent.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var tooLarge = Array.prototype.some.call(input.files, function (f) { return f.size > max; });
      input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
      if (tooLarge) { input.reportValidity(); }
    });
  });
});
