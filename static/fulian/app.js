// Large-text mode (适老化): a cookie so the server renders the page large after a reload.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-large-text-toggle]");
  if (!toggle) return;
  const on = !document.documentElement.classList.contains("large-text");
  document.documentElement.classList.toggle("large-text", on);
  document.cookie = `fulian_large_text=${on ? "1" : "0"}; path=/; max-age=31536000; SameSite=Lax`;
  // The header's switch and the footer's say the same.
  for (const each of document.querySelectorAll("[data-large-text-toggle]")) each.setAttribute("aria-pressed", String(on));
});

// The organisation tree: the first click loads the children (htmx), later clicks fold them.
document.addEventListener("htmx:afterRequest", (event) => {
  const button = event.detail.elt;
  if (button.classList && button.classList.contains("fl-tree-toggle") && event.detail.successful) {
    button.dataset.loaded = "1";
    button.setAttribute("aria-expanded", "true");
    button.textContent = "▾";
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest(".fl-tree-toggle[data-loaded]");
  if (!button) return;
  const list = button.closest("li").querySelector(":scope > ul");
  const open = button.getAttribute("aria-expanded") !== "true";
  list.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  button.textContent = open ? "▾" : "▸";
});

// Forms that take something away ask first (data-confirm holds the question).
document.addEventListener("submit", (event) => {
  // A button may ask its own question (a form with several actions).
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || (event.target.dataset && event.target.dataset.confirm);
  if (question && !window.confirm(question)) event.preventDefault();
});
// Links that do something to be sure of (a full export, recorded in the audit log) ask too.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-confirm]");
  if (link && !window.confirm(link.dataset.confirm)) event.preventDefault();
});
