// Copies the front-end files the pages use out of node_modules into build/static/vendor/,
// which Django's collectstatic picks up. Nothing third-party is committed; the lock file pins it.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

const out = "build/static/vendor";
const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
  "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
  "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  // The coverage charts (bar, treemap, sunburst): the full build, read only by the pages with charts.
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
};

rmSync(out, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const target = join(out, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join("node_modules", from), target);
}
console.log(`copied ${Object.keys(files).length} files into ${out}`);
