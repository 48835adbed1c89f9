// On-screen keys for the kiosk's dossier-code field. The form works without it.
(function () {
  var pad = document.getElementById("keypad");
  var field = document.getElementById("id_ma");
  if (!pad || !field) { return; }
  pad.hidden = false;
  pad.addEventListener("click", function (event) {
    var key = event.target.closest("button");
    if (!key) { return; }
    var value = key.getAttribute("data-key");
    if (value === "back") { field.value = field.value.slice(0, -1); }
    else if (value === "clear") { field.value = ""; }
    else { field.value += value; }
    field.focus();
  });
})();
// Back to the blank form after a while, with a button for more time (the page
// carries a <noscript> meta refresh for browsers without JavaScript).
(function () {
  var box = document.getElementById("kiosk-reset");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 60;
  var url = box.getAttribute("data-url");
  var more = document.getElementById("kiosk-more");
  var timer = null;
  function arm() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { window.location.href = url; }, seconds * 1000);
  }
  if (more) {
    more.hidden = false;
    more.addEventListener("click", arm);
  }
  arm();
})();
