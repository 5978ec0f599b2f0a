// The stages table of a campaign's form: add and remove rows. The rows are a Django formset
// ("stages-<n>-<field>"); after a change the rows are numbered again from 0 and TOTAL_FORMS
// follows, so the server reads them as it would the rows it drew.
(() => {
  const box = document.querySelector("[data-stages]");
  if (!box) return;
  const rows = box.querySelector("[data-stage-rows]");
  const template = box.querySelector("[data-stage-template]");
  const add = box.querySelector("[data-stage-add]");
  const total = box.querySelector('input[name$="-TOTAL_FORMS"]');
  const max = box.querySelector('input[name$="-MAX_NUM_FORMS"]');
  if (!rows || !template || !add || !total) return;
  const prefix = total.name.replace(/-TOTAL_FORMS$/, "");
  const pattern = new RegExp(`^(id_)?${prefix}-(\\d+|__prefix__)-`);

  const renumber = () => {
    const all = rows.querySelectorAll("[data-stage-row]");
    all.forEach((row, n) => {
      row.querySelectorAll("[name], [id], label[for]").forEach((el) => {
        for (const attr of ["name", "id", "for"]) {
          const value = el.getAttribute(attr);
          if (value && pattern.test(value)) el.setAttribute(attr, value.replace(pattern, `$1${prefix}-${n}-`));
        }
      });
    });
    total.value = String(all.length);
    add.hidden = max ? all.length >= Number(max.value) : false;
    all.forEach((row) => {
      const remove = row.querySelector("[data-stage-remove]");
      if (remove) remove.hidden = all.length <= 1;
    });
  };

  add.addEventListener("click", () => {
    const row = template.content.firstElementChild.cloneNode(true);
    rows.appendChild(row);
    renumber();
    const first = row.querySelector("select, input");
    if (first) first.focus();
  });
  rows.addEventListener("click", (event) => {
    const button = event.target.closest("[data-stage-remove]");
    if (!button) return;
    button.closest("[data-stage-row]").remove();
    renumber();
  });
  renumber();
})();
