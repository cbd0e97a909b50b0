/* The document-type filter of an organization page: shows only the listed reports of the
   chosen type. Without JavaScript the filter stays hidden and the type links beside it work. */
(function () {
  "use strict";
  var select = document.querySelector("select[data-filter-type]");
  if (!select) return;
  var box = select.closest(".type-filter");
  if (box) box.hidden = false;
  var section = select.closest("section") || document;
  function apply() {
    var type = select.value;
    section.querySelectorAll("li.report-item").forEach(function (li) {
      li.hidden = type !== "" && li.getAttribute("data-type") !== type;
    });
    section.querySelectorAll("h3[id^='y']").forEach(function (h) {
      var list = h.nextElementSibling;
      var shown = list ? list.querySelectorAll("li.report-item:not([hidden])").length : 1;
      h.hidden = shown === 0;
      if (list) list.hidden = shown === 0;
    });
  }
  select.addEventListener("change", apply);
  apply();
})();
