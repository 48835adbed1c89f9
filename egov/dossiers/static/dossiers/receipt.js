// Desk receipt: shortens the procedure list as the clerk types (accents and case
// ignored). The id of the list comes from the script tag's data-select.
(function () {
  var script = document.currentScript;
  var search = document.getElementById("procedure-search");
  var select = script && document.getElementById(script.dataset.select || "id_procedure");
  if (!search || !select) return;
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\u0111/g, "d").replace(/\u0110/g, "d").toLowerCase(); }
  search.addEventListener("input", function () {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      var text = fold(option.text);
      option.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
    });
  });
  var panel = document.getElementById("missing-panel");
  if (panel) panel.focus();
})();
