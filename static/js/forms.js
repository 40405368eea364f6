// Moves focus to the error summary after a failed submit, so keyboard and screen reader users
// land on the list of problems (each links to its field). Loaded with `defer`.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
