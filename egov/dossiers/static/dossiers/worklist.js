// Worklists: the filters start folded on phones (the list comes first) and open on
// wider screens, unless the page already opened them (filters in use or wrong).
(function () {
  var filters = document.getElementById("worklist-filters");
  if (filters && !filters.open && window.matchMedia("(min-width: 40.01rem)").matches) {
    filters.open = true;
  }
})();
