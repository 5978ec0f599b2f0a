// The assignment forms (grid/assignment_form.html, grid/assignment_change.html). Without this
// script the forms work as they are: every checkbox shown, the partner field always offered.
(() => {
  const form = document.querySelector("[data-assign-form]");
  if (!form) return;

  // 合力联动 needs the grid worker's name: mark the field required while that mode is chosen.
  const partner = form.querySelector("input[name=partner]");
  const star = form.querySelector("[data-partner-required]");
  const followMode = () => {
    const chosen = form.querySelector("input[name=mode]:checked");
    const joint = Boolean(chosen && chosen.value === "joint");
    if (star) star.hidden = !joint;
    if (partner) partner.required = joint;
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "mode") followMode();
  });
  followMode();

  // A long list of households: a filter box, quick ticks, and the count on the button.
  const rows = Array.from(form.querySelectorAll("[data-target-row]"));
  const boxes = () => rows.map((row) => row.querySelector("input[type=checkbox]"));
  const count = form.querySelector("[data-ticked-count]");
  const showCount = () => {
    if (!count) return;
    const n = boxes().filter((box) => box.checked).length;
    count.textContent = n ? `(${n})` : "";
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "targets") showCount();
  });
  showCount();

  const filter = form.querySelector("[data-target-filter]");
  const tools = form.querySelector("[data-target-tools]");
  const empty = form.querySelector("[data-filter-empty]");
  if (filter) {
    filter.hidden = false;
    if (tools) tools.hidden = false;
    filter.addEventListener("input", () => {
      const text = filter.value.trim().toLowerCase();
      let shown = 0;
      for (const row of rows) {
        const match = !text || row.dataset.text.toLowerCase().includes(text);
        row.hidden = !match;
        if (match) shown += 1;
      }
      if (empty) empty.hidden = shown > 0;
    });
    // Enter in the filter box filters; it does not send the form.
    filter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  }
  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-tick-uncovered]")) {
      for (const row of rows) {
        if (!row.hidden && row.dataset.uncovered === "1") row.querySelector("input[type=checkbox]").checked = true;
      }
      showCount();
    } else if (event.target.closest("[data-untick-all]")) {
      for (const box of boxes()) box.checked = false;
      showCount();
    }
  });
})();
