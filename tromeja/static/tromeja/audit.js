// The audit log: copy a record's full id, and suggest users as a name is typed.
(function () {
  "use strict";

  function announce(text) {
    var status = document.getElementById("audit-copy-status");
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the id stays selectable */ }
    document.body.removeChild(area);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".audit-copy");
    if (!button) { return; }
    var text = button.getAttribute("data-copy") || "";
    var done = function () {
      var label = button.getAttribute("data-copied") || "";
      var before = button.textContent;
      button.textContent = label;
      announce(label + ": " + text);
      window.setTimeout(function () { button.textContent = before; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  });
})();
