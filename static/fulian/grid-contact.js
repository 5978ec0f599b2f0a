// The duty record form on a weak network: what was typed is kept in the browser (localStorage) as
// a draft, so a reload or a dropped connection loses nothing but the photos; the page shown after
// a successful save (data-draft-saved) forgets the draft. The draft keeps the form's client key, so
// a resend after a dropped connection makes no second record. Also: the − / + of the time spent,
// the search of households and people (grid:contact_find), one submission per tap.
(() => {
  const FIELDS = ["person", "work_mode", "mode", "happened_on", "half_hours", "place", "whom", "location", "note",
    "correction_reason", "client_key"];
  const BOXES = ["household", "member"];

  const read = (key) => {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  };
  const forget = (key) => {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      /* storage refused (private mode): nothing was kept */
    }
  };

  const collect = (form) => {
    const draft = {};
    for (const name of FIELDS) {
      const field = form.elements.namedItem(name);
      if (!field) continue;
      draft[name] = field.value;
    }
    draft.boxes = [];
    for (const name of BOXES) {
      for (const box of form.querySelectorAll(`[data-picked-list] input[name=${name}]:checked`)) {
        draft.boxes.push({ name, value: box.value, label: box.closest("label").textContent.trim() });
      }
    }
    return draft;
  };

  const row = (name, value, label) => {
    const wrapper = document.createElement("label");
    wrapper.className = "fl-row";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = value;
    const text = document.createElement("span");
    text.textContent = label;
    wrapper.append(box, text);
    return wrapper;
  };

  const apply = (form, draft) => {
    for (const name of FIELDS) {
      if (!(name in draft)) continue;
      const field = form.elements.namedItem(name);
      if (!field) continue;
      if (field instanceof RadioNodeList) {
        for (const radio of field) radio.checked = radio.value === draft[name];
      } else {
        field.value = draft[name];
      }
    }
    if (!Array.isArray(draft.boxes)) return;
    const list = form.querySelector("[data-picked-list]");
    for (const name of BOXES) {
      const wanted = draft.boxes.filter((box) => box.name === name);
      for (const box of form.querySelectorAll(`[data-picked-list] input[name=${name}]`)) {
        box.checked = wanted.some((each) => each.value === box.value);
      }
      for (const each of wanted) {
        if (list && !list.querySelector(`input[name=${name}][value="${CSS.escape(each.value)}"]`)) {
          const added = row(name, each.value, each.label);
          added.querySelector("input").checked = true;
          list.append(added);
        }
      }
    }
  };

  const stepper = (form) => {
    for (const box of form.querySelectorAll("[data-stepper]")) {
      const select = box.querySelector("select");
      for (const button of box.querySelectorAll("[data-step]")) {
        button.hidden = false;
        button.addEventListener("click", () => {
          const next = select.selectedIndex + Number(button.dataset.step);
          if (next < 0 || next >= select.options.length) return;
          select.selectedIndex = next;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }
    }
  };

  const finder = (form, save) => {
    const area = form.querySelector("[data-find]");
    if (!area) return;
    const input = area.querySelector("input[type=search]");
    const found = area.querySelector("[data-found]");
    const list = form.querySelector("[data-picked-list]");
    let timer = null;
    let asked = 0;
    const search = async () => {
      const text = input.value.trim();
      const number = ++asked;
      if (!text) {
        found.replaceChildren();
        return;
      }
      try {
        const response = await fetch(`${area.dataset.find}?q=${encodeURIComponent(text)}`, {
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        });
        if (!response.ok || number !== asked) return;
        found.innerHTML = await response.text();
        // Already on the list: not offered twice.
        for (const box of found.querySelectorAll("input[type=checkbox]")) {
          if (list.querySelector(`input[name=${box.name}][value="${CSS.escape(box.value)}"]`)) {
            box.closest("label").remove();
          }
        }
      } catch (error) {
        /* offline: the Find button still submits the form */
      }
    };
    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 300);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        search();
      }
    });
    const button = area.querySelector("button[name=find]");
    if (button) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        search();
      });
    }
    found.addEventListener("change", (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement) || !box.checked) return;
      list.append(box.closest("label"));
      save();
    });
  };

  const setUp = () => {
    for (const marker of document.querySelectorAll("[data-draft-saved]")) forget(marker.dataset.draftSaved);
    const form = document.querySelector("form[data-draft-key]");
    if (!form) return;
    const key = form.dataset.draftKey;
    const draft = read(key);
    if (draft && form.hasAttribute("data-draft-restore")) {
      apply(form, draft);
      const notice = form.querySelector("[data-draft-notice]");
      if (notice) notice.hidden = false;
    }
    const save = () => {
      try {
        window.localStorage.setItem(key, JSON.stringify(collect(form)));
      } catch (error) {
        /* storage full or refused: the form still works, without a draft */
      }
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    stepper(form);
    finder(form, save);
    // One tap, one submission: a second tap while the first is on its way does nothing (and the
    // client key makes a resend find the record already made).
    let sending = false;
    form.addEventListener("submit", (event) => {
      if (event.submitter && event.submitter.name === "find") return;
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
      const button = form.querySelector("[data-save]");
      if (button) button.setAttribute("aria-busy", "true");
    });
    window.addEventListener("pageshow", () => {
      sending = false;
    });
    // How much of the note is left, beside its box.
    for (const box of form.querySelectorAll("textarea[maxlength]")) {
      const counter = document.createElement("div");
      counter.className = "form-text text-end";
      const limit = Number(box.getAttribute("maxlength"));
      const show = () => {
        counter.textContent = `${box.value.length} / ${limit}`;
      };
      box.insertAdjacentElement("afterend", counter);
      box.addEventListener("input", show);
      show();
    }
    const discard = form.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", () => {
        forget(key);
        window.location.reload();
      });
    }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
