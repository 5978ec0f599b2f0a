// Duty figures (duties): confirmed records per month stacked by work mode, and the hours as a
// line, drawn with ECharts from the JSON the page holds (json_script "duty-figures-data"; the
// Content-Security-Policy allows no inline script). The same numbers are in the table below the
// chart. Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry
// style attributes the policy refuses. With a mouse, a click on a bar opens its records.
(function () {
  "use strict";

  const COLOURS = ["#c8102e", "#1f5fa8", "#1b6e3a", "#8a5300", "#6b3fa0", "#00727a", "#5c6670", "#a33d6b"];
  const canHover = window.matchMedia && window.matchMedia("(hover: hover)").matches;

  function readData() {
    const holder = document.getElementById("duty-figures-data");
    return holder ? JSON.parse(holder.textContent) : null;
  }

  function option(data) {
    const series = data.series.map((s, i) => ({
      name: s.name,
      type: "bar",
      stack: "records",
      barMaxWidth: 28,
      itemStyle: { color: COLOURS[i % COLOURS.length] },
      data: s.records,
    }));
    series.push({
      name: data.labels.hours,
      type: "line",
      yAxisIndex: 1,
      symbolSize: 6,
      itemStyle: { color: "#1f2328" },
      data: data.hours,
    });
    return {
      aria: { enabled: true, label: { description: data.labels.description } },
      animation: false,
      color: COLOURS,
      legend: { type: "scroll", bottom: 0, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 8, top: 28, bottom: 40, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText", confine: true, axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 11 } },
      yAxis: [
        { type: "value", name: data.labels.records, minInterval: 1, nameTextStyle: { align: "left" } },
        { type: "value", name: data.labels.hours, splitLine: { show: false }, nameTextStyle: { align: "right" } },
      ],
      series: series,
    };
  }

  function draw() {
    const data = readData();
    const element = document.querySelector("[data-duty-chart]");
    if (!data || !element || typeof window.echarts === "undefined") return;
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(data));
    if (canHover) {
      chart.on("click", (p) => {
        const s = data.series[p.seriesIndex];
        const url = s && s.urls && s.urls[p.dataIndex];
        if (url) window.location.assign(url);
      });
    }
    element.dataset.drawn = "1";
    let pending = null;
    window.addEventListener("resize", () => {
      if (pending) window.cancelAnimationFrame(pending);
      pending = window.requestAnimationFrame(() => chart.resize());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
