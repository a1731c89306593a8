(function () {
  "use strict";
  var input = document.getElementById("pair-filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#pair-table tbody tr"));
  var counter = document.getElementById("pair-count");
  input.addEventListener("input", function () {
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
      row.style.display = match ? "" : "none";
      if (match) { shown += 1; }
    });
    counter.textContent = String(shown);
  });
  document.body.setAttribute("data-charts", String(document.querySelectorAll("svg.chart").length));
  document.body.setAttribute("data-ready", "1");
}());
