// Coverage charts (grid): a bar chart of the share covered per child organisation and a
// treemap of the two levels below, drawn with ECharts from the JSON the page holds
// (json_script "coverage-data"; the Content-Security-Policy allows no inline script).
// The same numbers are always in the table on the page. Tooltips are drawn on the canvas
// (renderMode "richText"): ECharts' HTML tooltips carry style attributes the policy refuses.
(function () {
  "use strict";

  const COLOURS = { good: "#1b6e3a", fair: "#8a5300", poor: "#b00020", none: "#8c959f" };
  const canHover = window.matchMedia && window.matchMedia("(hover: hover)").matches;

  function readData() {
    const holder = document.getElementById("coverage-data");
    return holder ? JSON.parse(holder.textContent) : null;
  }

  function percent(share) {
    return share === null || share === undefined ? "–" : share.toFixed(1) + "%";
  }

  function numbers(labels, row) {
    return (
      row.name + "\n" +
      labels.share + " " + percent(row.share) + "\n" +
      labels.covered + " " + row.covered.toLocaleString() + " / " + labels.households + " " + row.households.toLocaleString()
    );
  }

  function tooltip() {
    return { trigger: "item", triggerOn: "mousemove|click", renderMode: "richText", confine: true };
  }

  function barOption(data) {
    const rows = data.bars.slice().reverse(); // the first row at the top
    return {
      aria: { enabled: true, label: { description: data.labels.bar_description } },
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      tooltip: Object.assign(tooltip(), {
        formatter: (p) => numbers(data.labels, rows[p.dataIndex]),
      }),
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: {
        type: "category",
        data: rows.map((r) => r.name),
        axisLabel: { width: 96, overflow: "truncate", fontSize: 12 },
        axisTick: { show: false },
      },
      series: [
        {
          type: "bar",
          barMaxWidth: 22,
          data: rows.map((r) => ({ value: r.share === null ? 0 : r.share, itemStyle: { color: COLOURS[r.band] } })),
          label: { show: true, position: "right", formatter: (p) => percent(rows[p.dataIndex].share), fontSize: 12 },
        },
      ],
    };
  }

  function treeNode(row) {
    const node = {
      name: row.name,
      value: row.households,
      row: row,
      itemStyle: { color: COLOURS[row.band] },
    };
    if (row.children && row.children.length) node.children = row.children.map(treeNode);
    return node;
  }

  function treeOption(data) {
    return {
      aria: { enabled: true, label: { description: data.labels.tree_title } },
      animation: false,
      tooltip: Object.assign(tooltip(), {
        formatter: (p) => (p.data && p.data.row ? numbers(data.labels, p.data.row) : p.name),
      }),
      series: [
        {
          type: "treemap",
          name: data.labels.tree_root, // the breadcrumb's first step
          roam: false,
          nodeClick: "zoomToNode",
          // One level at a time: the children of the organisation, a tap zooms into one.
          leafDepth: 1,
          top: 4,
          left: 0,
          right: 0,
          bottom: 32,
          breadcrumb: { show: true, bottom: 0, height: 24 },
          label: {
            show: true,
            color: "#fff",
            fontSize: 12,
            formatter: (p) => p.name + (p.data && p.data.row ? "\n" + percent(p.data.row.share) : ""),
          },
          itemStyle: { borderColor: "#fff", borderWidth: 1, gapWidth: 2 },
          data: data.tree.map(treeNode),
        },
      ],
    };
  }

  function draw() {
    const data = readData();
    if (!data || typeof window.echarts === "undefined") return;
    const charts = [];
    for (const element of document.querySelectorAll("[data-coverage-chart]")) {
      const kind = element.dataset.coverageChart;
      if (kind === "bars") {
        // A bar's room whatever their number: the chart grows with its rows, the page scrolls.
        element.style.height = Math.max(200, data.bars.length * 30 + 48) + "px";
      }
      const chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(kind === "bars" ? barOption(data) : treeOption(data));
      if (kind === "bars" && canHover) {
        // With a mouse, a click on a bar opens that organisation's coverage; on a touch screen
        // a tap shows its numbers (the table's links drill down).
        const rows = data.bars.slice().reverse();
        chart.on("click", (p) => {
          const url = rows[p.dataIndex] && rows[p.dataIndex].url;
          if (url) window.location.assign(url);
        });
      }
      element.dataset.drawn = "1";
      charts.push(chart);
    }
    let pending = null;
    window.addEventListener("resize", () => {
      if (pending) window.cancelAnimationFrame(pending);
      pending = window.requestAnimationFrame(() => charts.forEach((c) => c.resize()));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
