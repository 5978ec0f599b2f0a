// The contact form on a weak network: what was typed is kept in the browser (localStorage) as a
// draft, so a reload or a dropped connection loses nothing but the photos; the page shown after a
// successful save (data-draft-saved) forgets the draft.
(() => {
  const FIELDS = ["person", "mode", "happened_on", "whom", "location", "note"];

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
    draft.household = [...form.querySelectorAll("input[name=household]:checked")].map((box) => box.value);
    return draft;
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
    if (Array.isArray(draft.household)) {
      for (const box of form.querySelectorAll("input[name=household]")) box.checked = draft.household.includes(box.value);
    }
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
