// "Use the applicant's details": with JavaScript the section is filled at once,
// without the round trip to the server the button makes on its own. The values
// come from the page's data (the applicant step of this draft, the person's own).
(function () {
  var data = document.getElementById("applicant-copies");
  if (!data) return;
  var copies = JSON.parse(data.textContent);
  function put(name, value) {
    var field = document.getElementById("id_" + name);
    if (field) { field.value = value; return; }
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);  // a date: three boxes
    var day = document.getElementById("id_" + name + "_0");
    if (parts && day) {
      day.value = parts[3];
      document.getElementById("id_" + name + "_1").value = parts[2];
      document.getElementById("id_" + name + "_2").value = parts[1];
    }
  }
  document.querySelectorAll("button[name=copy_applicant]").forEach(function (button) {
    var values = copies[button.value];
    if (!values) return;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      Object.keys(values).forEach(function (name) { put(name, values[name]); });
      var status = document.getElementById("copy-status-" + button.value);
      if (status) status.textContent = status.dataset.done;
    });
  });
})();
