// Renders every Vega-Lite chart on the page. Specs sit in <script type="application/json"> blocks
// (data, not code), so the page needs no inline script and works under a strict CSP.
// `ast: true` makes Vega interpret expressions instead of compiling them with new Function (no eval).
(function () {
  function render() {
    document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.vegaSpec);
      if (!source || typeof vegaEmbed === "undefined") return;
      el.dataset.rendered = "1";
      vegaEmbed(el, JSON.parse(source.textContent), { ast: true, actions: { export: true, source: false, compiled: false, editor: false } })
        .catch(function (err) { el.textContent = "Chart could not be drawn: " + err; });
    });
  }
  document.addEventListener("DOMContentLoaded", render);
  document.addEventListener("htmx:afterSettle", render);
})();
