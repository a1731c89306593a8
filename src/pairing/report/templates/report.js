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
  var table = document.getElementById("pair-table");
  var headers = Array.prototype.slice.call(table.querySelectorAll("th[data-sort]"));
  headers.forEach(function (th, column) {
    th.addEventListener("click", function () {
      var numeric = th.getAttribute("data-sort") === "num";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var key = function (row) {
        var cell = row.children[column];
        var value = cell.getAttribute("data-value") || cell.textContent;
        return numeric ? parseFloat(value) : value.toLowerCase();
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      var body = table.tBodies[0];
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  document.body.setAttribute("data-sortable", String(headers.length));
  document.body.setAttribute("data-charts", String(document.querySelectorAll("svg.chart").length));
  document.body.setAttribute("data-ready", "1");
}());
