// Draws every [data-chart] element from the JSON next to it: {"x": [unix seconds], "series": {label: [values]}}.
(function () {
  var colours = ["#2563eb", "#dc2626", "#16a34a", "#9333ea"];
  function draw(el) {
    if (el.dataset.drawn || typeof uPlot === "undefined") return;
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var labels = Object.keys(data.series);
    var series = [{}].concat(labels.map(function (label, i) {
      return {label: label, stroke: colours[i % colours.length], width: 2, points: {show: data.x.length < 60}};
    }));
    var columns = [data.x].concat(labels.map(function (l) { return data.series[l]; }));
    new uPlot({width: Math.max(280, el.clientWidth || 480), height: 200, series: series}, columns, el);
    el.dataset.drawn = "1";
  }
  function drawAll() { document.querySelectorAll("[data-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
