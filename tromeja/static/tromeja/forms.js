// Forms: error summary focus and other form behaviour shared by every page.
(function () {
  "use strict";

  // After a form is sent with mistakes, its error summary takes the focus, so
  // that a keyboard or screen-reader user starts from the list of what to fix.
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (!summary || summary.offsetParent === null) { return false; }
    summary.focus();
    return document.activeElement === summary;
  }

  // A link of the summary moves the focus to its field (a fragment link
  // scrolls but does not focus an input in every browser).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    field.focus();
    if (field.scrollIntoView) { field.scrollIntoView({ block: "center" }); }
  });

  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });

  // A form swapped in by htmx with its errors: the same.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.querySelector) { focusSummary(target); }
  });
})();
