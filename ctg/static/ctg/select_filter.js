// A search input before each select marked data-ctg-filter (the organisation selects of a dossier,
// ctg.organisations.choices): typing keeps the options whose name contains the text (accents and case
// ignored), hides the groups left empty; the chosen option always stays. Without script, the grouped select
// works alone.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function setUp(select, index) {
    var id = (select.id || "ctg-select-" + index) + "-filtre";
    var group = document.createElement("div");
    group.className = "fr-input-group fr-mb-1w";
    var label = document.createElement("label");
    label.className = "fr-label";
    label.htmlFor = id;
    var name = "la liste";
    if (select.labels && select.labels[0]) {
      // The label's own words, without its hint or error text.
      var copy = select.labels[0].cloneNode(true);
      copy.querySelectorAll(".fr-hint-text, .fr-error-text").forEach(function (n) { n.remove(); });
      name = copy.textContent.replace(/\s+/g, " ").trim();
    }
    label.textContent = "Rechercher dans « " + name + " »";
    var input = document.createElement("input");
    input.className = "fr-input";
    input.type = "search";
    input.id = id;
    input.setAttribute("aria-controls", select.id);
    input.autocomplete = "off";
    group.appendChild(label);
    group.appendChild(input);
    var anchor = select.closest(".fr-select-group") || select;
    anchor.parentNode.insertBefore(group, anchor);
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = !(option.selected || !option.value || fold(option.text).indexOf(wanted) !== -1);
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (optgroup) {
        optgroup.hidden = !Array.prototype.some.call(optgroup.children, function (o) { return !o.hidden; });
      });
    });
  }
  document.querySelectorAll("select[data-ctg-filter]").forEach(setUp);
})();
