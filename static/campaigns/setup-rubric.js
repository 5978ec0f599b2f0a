// The rubric editor: add and remove sections and items, and show the total points as one types.
// Fields are named section-<s>-name and item-<s>-<i>-<field>; the server reads them in the order
// of their numbers, so a new row takes the next free number and no row is renumbered.
(() => {
  const form = document.querySelector("[data-rubric-editor]");
  if (!form) return;
  const sections = form.querySelector("[data-sections]");
  const sectionTemplate = form.querySelector("[data-section-template]");
  const itemTemplate = form.querySelector("[data-item-template]");
  const addSection = form.querySelector("[data-section-add]");
  const total = form.querySelector("[data-rubric-total]");
  const totalValue = form.querySelector("[data-rubric-total-value]");

  const fill = (node, values) => {
    node.querySelectorAll("[name], [id], label[for]").forEach((el) => {
      for (const attr of ["name", "id", "for"]) {
        let value = el.getAttribute(attr);
        if (!value) continue;
        for (const [key, replacement] of Object.entries(values)) value = value.split(key).join(replacement);
        el.setAttribute(attr, value);
      }
    });
  };

  const nextSection = () =>
    1 + Math.max(-1, ...[...sections.querySelectorAll("[data-section]")].map((s) => Number(s.dataset.sectionIndex)));

  const nextItem = (section) => {
    const numbers = [...section.querySelectorAll('[data-item-row] input[name$="-name"]')].map((input) =>
      Number(input.name.split("-")[2]),
    );
    return 1 + Math.max(-1, ...numbers);
  };

  const showButtons = () => {
    const all = sections.querySelectorAll("[data-section]");
    all.forEach((section) => {
      section.querySelector("[data-item-add]").hidden = false;
      section.querySelector("[data-section-remove]").hidden = all.length <= 1;
      const rows = section.querySelectorAll("[data-item-row]");
      rows.forEach((row) => {
        row.querySelector("[data-item-remove]").hidden = rows.length <= 1;
      });
    });
    if (addSection) addSection.hidden = false;
  };

  const sum = () => {
    let points = 0;
    sections.querySelectorAll("[data-item-row]").forEach((row) => {
      const kind = row.querySelector("[data-item-kind]").value;
      const max = Number.parseFloat(row.querySelector("[data-item-max]").value);
      if (kind !== "veto" && Number.isFinite(max) && max > 0) points += max;
    });
    totalValue.textContent = String(Math.round(points * 10) / 10);
    total.hidden = false;
  };

  form.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest("[data-item-add]")) {
      const section = target.closest("[data-section]");
      const row = itemTemplate.content.firstElementChild.cloneNode(true);
      fill(row, { __S__: section.dataset.sectionIndex, __I__: String(nextItem(section)) });
      section.querySelector("[data-items]").appendChild(row);
      row.querySelector("input").focus();
    } else if (target.closest("[data-item-remove]")) {
      target.closest("[data-item-row]").remove();
    } else if (target.closest("[data-section-remove]")) {
      target.closest("[data-section]").remove();
    } else if (target.closest("[data-section-add]")) {
      const section = sectionTemplate.content.firstElementChild.cloneNode(true);
      const number = String(nextSection());
      section.dataset.sectionIndex = number;
      fill(section, { __S__: number });
      sections.appendChild(section);
      section.querySelector("input").focus();
    } else {
      return;
    }
    showButtons();
    sum();
  });
  form.addEventListener("input", sum);
  form.addEventListener("change", sum);
  showButtons();
  sum();
})();
