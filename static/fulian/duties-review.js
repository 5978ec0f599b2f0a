// The review list: "tick all on this page" ticks (or clears) every record box of the bulk form.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-tick-all]");
  if (!all) return;
  const form = all.form;
  const boxes = document.querySelectorAll(`input[type="checkbox"][name="${all.dataset.tickAll}"]`);
  boxes.forEach((box) => {
    if (box.form === form && !box.disabled) box.checked = all.checked;
  });
});
