// The organisation picker (templates/includes/org_picker.html): the typing box becomes an ARIA
// combobox (WAI-ARIA 1.2 "list autocomplete") whose suggestions come from the server (orgs:pick),
// already limited to the user's area. The plain list stays in the form, hidden, and holds the
// choice; the box is submitted (as <name>_text) only while it holds text that was not picked,
// which the server then resolves by name, pinyin, initials or code.
(() => {
  const DELAY = 200;

  function enhance(root) {
    if (root.dataset.enhanced) return;
    root.dataset.enhanced = "1";
    const select = root.querySelector("select");
    const input = root.querySelector(".fl-picker-input");
    const list = root.querySelector("[role=listbox]");
    const empty = root.querySelector(".fl-picker-empty");
    const status = root.querySelector("[role=status]");
    const textName = input.name;
    let timer = null;
    let request = 0;
    let active = -1;

    root.classList.add("is-enhanced");
    // The field's own label now names the box (it named the list without JavaScript).
    const form = root.closest("form") || document;
    root.querySelectorAll(`label[for="${input.id}"]`).forEach((label) => label.remove());
    form.querySelectorAll(`label[for="${select.id}"]`).forEach((label) => {
      label.htmlFor = input.id;
    });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");

    const picked = select.selectedIndex > 0 ? select.options[select.selectedIndex] : null;
    if (picked && !input.value) {
      input.value = picked.textContent.trim();
      input.removeAttribute("name");
    } else if (!picked && !input.value && root.dataset.typed) {
      // An ambiguous name: shown again, its matches listed as soon as the box is used.
      input.value = root.dataset.typed;
    }

    const options = () => Array.from(list.querySelectorAll("[role=option]"));

    function close() {
      list.hidden = true;
      empty.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function pick(option) {
      const value = option.dataset.value;
      const label = option.querySelector(".fl-picker-name").textContent.trim();
      let choice = Array.from(select.options).find((o) => o.value === value);
      if (!choice) {
        choice = new Option(label, value);
        select.add(choice);
      }
      select.value = value;
      input.value = label;
      input.removeAttribute("name");
      close();
      status.textContent = label;
      // Lists reload on a change of their filters (htmx listens for "change" on selects).
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(html) {
      list.innerHTML = html;
      const all = options();
      all.forEach((option, i) => {
        option.id = `${list.id}-${i}`;
      });
      list.hidden = all.length === 0;
      empty.hidden = all.length !== 0;
      input.setAttribute("aria-expanded", String(all.length !== 0));
      active = -1;
      input.removeAttribute("aria-activedescendant");
      status.textContent = all.length ? `${all.length}` : empty.textContent;
      // On a phone the list may open below the fold (or under the keyboard): bring it into view.
      if (all.length) list.scrollIntoView({ block: "nearest" });
    }

    async function suggest() {
      const text = input.value.trim();
      if (!text) {
        close();
        return;
      }
      const mine = ++request;
      const url = `${root.dataset.url}&q=${encodeURIComponent(text)}`;
      try {
        const response = await fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
        if (mine !== request || !response.ok) return;
        show(await response.text());
      } catch (error) {
        // Offline or timed out: the text typed is still sent and resolved by the server.
      }
    }

    input.addEventListener("input", () => {
      // Typing undoes a pick: the text is sent again until an organisation is picked.
      input.name = textName;
      if (select.value) {
        select.value = "";
        if (!input.value.trim()) select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY);
    });

    input.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) {
          suggest();
          return;
        }
        highlight(event.key === "ArrowDown" ? active + 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        pick(options()[active]);
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    // A press on an option must not blur the box first (the list would close under the finger).
    list.addEventListener("pointerdown", (event) => event.preventDefault());
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) pick(option);
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    input.addEventListener("focus", () => {
      if (input.name && input.value.trim()) suggest();
    });
  }

  function enhanceAll(scope) {
    scope.querySelectorAll("[data-org-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  } else {
    enhanceAll(document);
  }
  // Pickers that arrive with htmx (a form swapped in).
  document.addEventListener("htmx:load", (event) => enhanceAll(event.detail.elt.parentNode || document));
})();
