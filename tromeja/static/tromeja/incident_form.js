// The report form is sent once: after the first tap the buttons are disabled
// (the server refuses a second post of the same form as well).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    var buttons = form.querySelectorAll("button[type=submit]");
    var status = form.querySelector(".incident-form-sending");
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent") === "1") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      // A disabled button is not sent: its name goes in a hidden field.
      var submitter = event.submitter;
      if (submitter && submitter.name) {
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = submitter.name;
        carried.value = submitter.value;
        form.appendChild(carried);
      }
      buttons.forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
      if (status) {
        status.textContent = status.getAttribute("data-sending-text");
        status.hidden = false;
      }
    });
    // Back to the page from the browser's cache: the form can be sent again
    // (the server still refuses the same form twice).
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }
      form.removeAttribute("data-sent");
      buttons.forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
      form.querySelectorAll("input[type=hidden][name=save], input[type=hidden][name=submit]")
        .forEach(function (input) { input.remove(); });
      if (status) { status.hidden = true; }
    });
  });
});
