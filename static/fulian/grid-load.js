// The histogram of the load page: executive members by households each (ECharts, local copy).
// The numbers are in the table beside it; the chart draws them, nothing more. No tooltip: the
// Content-Security-Policy refuses the inline styles ECharts' HTML tooltips carry.
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("load-chart");
    var source = document.getElementById("load-chart-data");
    if (!holder || !source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    // A height set through the CSSOM, not a style attribute (the CSP allows the former only).
    holder.style.height = window.innerWidth < 576 ? "220px" : "280px";
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 12, top: 24, bottom: 40 },
      xAxis: {
        type: "category",
        data: data.labels,
        name: data.axis,
        nameLocation: "middle",
        nameGap: 26,
        axisLabel: { color: "#333" },
      },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#333" } },
      series: [
        {
          name: data.name,
          type: "bar",
          data: data.counts,
          label: { show: true, position: "top", color: "#333" },
          itemStyle: { color: "#c8102e" },
        },
      ],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
