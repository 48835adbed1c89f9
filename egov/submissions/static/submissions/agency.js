// Choosing the receiving agency: when the district changes, the list of agencies
// is refilled from the page's data at once, so the "Choose" button (which reloads
// the page for browsers without JavaScript) is not needed and is hidden.
(function () {
  var data = document.getElementById("agency-areas");
  var area = document.getElementById("id_area");
  var agency = document.querySelector("select[data-agency-areas]");
  if (!data || !area || !agency) return;
  var areas = JSON.parse(data.textContent);
  var button = document.querySelector("[data-agency-choose]");
  if (button) button.parentNode.hidden = true;
  var firstText = agency.options.length ? agency.options[0].text : "";
  var emptyText = agency.dataset.emptyText || firstText;
  var pickText = agency.dataset.pickText || firstText;
  function fill() {
    var found = null;
    for (var i = 0; i < areas.length; i++) {
      if (areas[i].key === area.value) found = areas[i];
    }
    var keep = agency.value;
    while (agency.options.length) agency.remove(0);
    agency.add(new Option(found ? pickText : emptyText, ""));
    if (!found) return;
    found.options.forEach(function (item) {
      var option = new Option(item.label, String(item.pk));
      option.selected = String(item.pk) === keep || found.options.length === 1;
      agency.add(option);
    });
  }
  area.addEventListener("change", fill);
})();
