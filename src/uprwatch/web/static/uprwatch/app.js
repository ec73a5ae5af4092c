// Small behaviours for every page (no inline script: the CSP allows only files from this site).
// Facets fold behind a button on small screens: the aside gets the "collapsible" class only when this
// script runs, so without JavaScript every filter stays visible.
(function () {
  function setUp(root) {
    root.querySelectorAll("aside.facets[data-collapsible]").forEach(function (aside) {
      if (aside.classList.contains("collapsible")) return;
      var button = aside.querySelector(".facets-toggle");
      if (!button) return;
      aside.classList.add("collapsible");
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        var open = aside.classList.toggle("open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.textContent = open ? "Hide filters" : button.dataset.label;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
