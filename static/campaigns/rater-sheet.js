// The score sheet on a phone on a weak network (campaigns, rater).
//
// Every tap saves a draft on the phone (IndexedDB: the fields, the sheet's key and the photos as
// blobs; localStorage for the fields alone where IndexedDB is refused), so a reload or a dropped
// connection loses nothing. Photos are shrunk on the phone (≤ 1280 px, JPEG) before they are
// kept. Submitting sends the draft with fetch; when the phone is offline or the request fails,
// the draft stays, marked to be sent, and goes out on the "online" event, on a timer, and when
// the page is opened again. The sheet's client_key makes a retry arrive once.
(() => {
  const DB_NAME = "fulian-rater";
  const STORE = "drafts";
  const RETRY_MS = 15000;
  // A request on a dead connection can hang for minutes: give up on it (and retry) after this.
  const GIVE_UP_MS = 120000;
  const LONGEST = 1280;
  const QUALITY = 0.8;

  // ---- storage --------------------------------------------------------------------------
  let dbPromise = null;
  const openDb = () => {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise((resolve) => {
      try {
        const request = window.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(null);
        request.onblocked = () => resolve(null);
      } catch (error) {
        resolve(null);
      }
    });
    return dbPromise;
  };
  const run = async (mode, action) => {
    const db = await openDb();
    if (!db) return undefined;
    return new Promise((resolve) => {
      try {
        const tx = db.transaction(STORE, mode);
        const request = action(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => resolve(undefined);
        tx.onabort = () => resolve(undefined);
      } catch (error) {
        resolve(undefined);
      }
    });
  };
  const storeKey = (id) => `sheet-${id}`;
  const loadDraft = async (id) => {
    const found = await run("readonly", (store) => store.get(storeKey(id)));
    if (found) return found;
    try {
      return JSON.parse(window.localStorage.getItem(`fulian-rater-${storeKey(id)}`) || "null");
    } catch (error) {
      return null;
    }
  };
  const saveDraft = async (id, draft) => {
    draft.savedAt = Date.now();
    const done = await run("readwrite", (store) => store.put(draft, storeKey(id)));
    if (done === undefined) {
      // No IndexedDB: keep at least the scores (photos need IndexedDB).
      try {
        const { photos, ...rest } = draft;
        window.localStorage.setItem(`fulian-rater-${storeKey(id)}`, JSON.stringify(rest));
      } catch (error) {
        /* storage refused: the form still works, without a draft */
      }
    }
  };
  const dropDraft = async (id) => {
    await run("readwrite", (store) => store.delete(storeKey(id)));
    try {
      window.localStorage.removeItem(`fulian-rater-${storeKey(id)}`);
    } catch (error) {
      /* nothing kept */
    }
  };

  const newKey = () => {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name] ?? ""));
  const number = (value) => String(Math.round(value * 100) / 100);

  // ---- photos -----------------------------------------------------------------------------
  const shrink = async (file) => {
    // A photo from the camera (often 4000 px, several MB) as a JPEG of at most 1280 px; what the
    // browser cannot read is kept as it is, for the server to say what is wrong with it.
    try {
      const bitmap = await window.createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
      if (!blob) return file;
      return blob;
    } catch (error) {
      return file;
    }
  };

  // ---- the sheet --------------------------------------------------------------------------
  const setUp = async () => {
    for (const marker of document.querySelectorAll("[data-draft-clear]")) await dropDraft(marker.dataset.draftClear);
    const form = document.querySelector("form[data-rater-sheet]");
    if (!form) return;
    const id = form.dataset.raterSheet;
    const rubric = JSON.parse(document.getElementById("rater-rubric").textContent);
    const words = document.querySelector("[data-words]").dataset;
    const submit = form.querySelector("[data-submit]");
    const offline = form.querySelector("[data-offline-notice]");
    const formErrors = form.querySelector("[data-form-errors]");
    const totalBox = document.querySelector("[data-running-total]");
    const positionBox = form.querySelector("[data-position]");
    let draft = null;
    let sending = false;
    let accuracy = null;

    const fields = () => {
      const found = {};
      for (const el of form.elements) {
        if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") continue;
        if (el.type === "radio" || el.type === "checkbox") {
          if (el.checked) found[el.name] = el.value;
          else if (el.type === "checkbox" && !(el.name in found)) found[el.name] = "";
        } else {
          found[el.name] = el.value;
        }
      }
      return found;
    };
    const applyFields = (values) => {
      for (const el of form.elements) {
        if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || !(el.name in values)) continue;
        if (el.type === "radio") el.checked = el.value === values[el.name];
        else if (el.type === "checkbox") el.checked = el.value === values[el.name];
        else el.value = values[el.name];
      }
    };

    // The service's values, item by item, from the form.
    const values = () => {
      const found = {};
      const f = fields();
      for (const item of rubric.items) {
        const raw = f[`item_${item.id}`] ?? "";
        if (raw === "na" || f[`item_${item.id}_na`]) {
          found[item.id] = { na: true };
        } else if (item.kind === "veto") {
          found[item.id] = { hit: raw === "yes" };
        } else if (item.kind === "deduction") {
          const faults = Number.parseInt(raw || "0", 10);
          found[item.id] = { faults: Number.isNaN(faults) ? raw : faults };
        } else if (raw !== "") {
          found[item.id] = { v: number(Number(raw) + (f[`item_${item.id}_half`] ? 0.5 : 0)) };
        } else {
          found[item.id] = {};
        }
      }
      return found;
    };

    const showTotal = () => {
      let raw = 0;
      let possible = 0;
      let left = 0;
      let vetoed = false;
      const v = values();
      for (const item of rubric.items) {
        const value = v[item.id];
        const max = Number(item.max);
        if (value.na) continue;
        if (item.kind === "veto") {
          vetoed = vetoed || value.hit;
        } else if (item.kind === "deduction") {
          const faults = Number(value.faults) || 0;
          const points = Math.max(0, max - Number(item.per_fault) * faults);
          raw += points;
          possible += max;
          const label = form.querySelector(`[data-points-for="${item.id}"]`);
          if (label) label.textContent = fill(words.points, { points: number(points) });
        } else if ("v" in value) {
          raw += Number(value.v);
          possible += max;
        } else {
          left += 1;
          possible += max;
        }
      }
      const lines = [fill(words.total, { raw: number(raw), possible: number(possible) })];
      if (possible > 0 && !left) lines[0] += ` (${number((raw * 100) / possible)}%)`;
      if (left) lines.push(fill(words.left, { n: left }));
      if (vetoed) lines.push(words.vetoed);
      totalBox.textContent = lines.join(" · ");
      totalBox.classList.toggle("rt-vetoed", vetoed);
    };

    // "+½" on an item with whole-point buttons: never above the maximum.
    const guardHalves = () => {
      for (const item of rubric.items) {
        if (!item.half) continue;
        const half = form.elements.namedItem(`item_${item.id}_half`);
        const top = form.querySelector(`input[name="item_${item.id}"][value="${number(Number(item.max))}"]`);
        if (!half || !top) continue;
        if (top.checked && half.checked) half.checked = false;
        half.disabled = top.checked;
        top.disabled = half.checked;
      }
    };

    const save = async () => {
      draft = draft || { clientKey: form.elements.namedItem("client_key").value || newKey(), photos: [] };
      draft.fields = fields();
      if (accuracy !== null) draft.accuracy = accuracy;
      await saveDraft(id, draft);
    };

    const thumbs = () => {
      for (const box of form.querySelectorAll("[data-photos-for]")) {
        for (const img of box.querySelectorAll("img")) URL.revokeObjectURL(img.src);
        box.replaceChildren();
      }
      for (const photo of (draft && draft.photos) || []) {
        const box = form.querySelector(`[data-photos-for="${photo.item || "sheet"}"]`);
        if (!box) continue;
        const holder = document.createElement("div");
        holder.className = "rt-thumb";
        const img = document.createElement("img");
        img.alt = photo.name || "";
        img.src = URL.createObjectURL(photo.blob);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", words.remove);
        remove.addEventListener("click", async () => {
          draft.photos = draft.photos.filter((p) => p.id !== photo.id);
          await save();
          thumbs();
        });
        holder.append(img, remove);
        box.append(holder);
      }
    };

    const clearErrors = () => {
      formErrors.hidden = true;
      formErrors.replaceChildren();
      for (const box of form.querySelectorAll("[data-errors-for]")) box.replaceChildren();
      for (const item of form.querySelectorAll(".rt-has-error")) item.classList.remove("rt-has-error");
    };
    const say = (box, messages) => {
      for (const message of messages) {
        const line = document.createElement("div");
        line.textContent = message;
        box.append(line);
      }
    };
    const showErrors = (answer) => {
      clearErrors();
      let first = null;
      for (const [item, messages] of Object.entries(answer.items || {})) {
        const box = form.querySelector(`[data-errors-for="${item}"]`);
        if (!box) continue;
        say(box, messages);
        const holder = box.closest(".rt-item");
        holder.classList.add("rt-has-error");
        first = first || holder;
      }
      const general = [...(answer.form || [])];
      for (const [name, messages] of Object.entries(answer.fields || {})) {
        const box = form.querySelector(`[data-errors-for="${name}"]`);
        if (box) {
          say(box, messages);
          first = first || box.closest(".rt-item");
        } else {
          general.push(...messages);
        }
      }
      if (general.length) {
        say(formErrors, general);
        formErrors.hidden = false;
        first = formErrors;
      }
      if (first) first.scrollIntoView({ block: "center" });
    };
    const showGeneral = (message) => {
      clearErrors();
      say(formErrors, [message]);
      formErrors.hidden = false;
      formErrors.scrollIntoView({ block: "center" });
    };

    const keep = async () => {
      // The request did not get through: the draft stays on the phone, marked to be sent.
      draft.pending = true;
      await saveDraft(id, draft);
      offline.hidden = false;
    };

    const send = async () => {
      if (sending || !draft) return;
      sending = true;
      submit.disabled = true;
      const label = submit.textContent;
      submit.textContent = words.sending;
      const body = new FormData();
      body.append("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
      body.append("client_key", draft.clientKey);
      body.append("values", JSON.stringify(values()));
      for (const name of ["comment", "scored_at", "latitude", "longitude"]) {
        body.append(name, form.elements.namedItem(name).value);
      }
      for (const photo of draft.photos) body.append(`photo_${photo.item || "sheet"}`, photo.blob, photo.name || "photo.jpg");
      const abort = new AbortController();
      const timer = window.setTimeout(() => abort.abort(), GIVE_UP_MS);
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: abort.signal,
        });
        const json = (response.headers.get("Content-Type") || "").includes("application/json");
        const answer = json ? await response.json() : null;
        if (response.ok && answer && answer.ok) {
          await dropDraft(id);
          draft = null;
          window.location.assign(answer.redirect);
          return;
        }
        if (response.status >= 500 || response.status === 408 || response.status === 429) {
          await keep();
        } else {
          draft.pending = false;
          await saveDraft(id, draft);
          offline.hidden = true;
          if (response.status === 400 && answer) showErrors(answer);
          else if (response.status === 413) showGeneral(words.tooLarge);
          else if (response.redirected && new URL(response.url).pathname.startsWith("/accounts/login")) showGeneral(words.loggedOut);
          else showGeneral((answer && answer.detail) || words.refused);
        }
      } catch (error) {
        await keep();
      } finally {
        window.clearTimeout(timer);
        sending = false;
        submit.disabled = false;
        submit.textContent = label;
      }
    };

    // Restore what the phone kept.
    draft = await loadDraft(id);
    if (draft) {
      draft.photos = draft.photos || [];
      applyFields(draft.fields || {});
      form.elements.namedItem("client_key").value = draft.clientKey;
      form.querySelector("[data-draft-notice]").hidden = false;
      thumbs();
    }
    guardHalves();
    showTotal();

    form.addEventListener("change", async (event) => {
      const target = event.target;
      if (target.type === "file") {
        const files = [...target.files];
        target.value = "";
        if (!draft) await save();
        for (const file of files) {
          const blob = await shrink(file);
          const name = (file.name || "photo").replace(/\.[^.]*$/, "") + (blob === file ? "" : ".jpg");
          draft.photos.push({ id: newKey(), item: target.name.replace("photo_", "").replace("sheet", ""), name, blob });
        }
        await save();
        thumbs();
        return;
      }
      guardHalves();
      showTotal();
      await save();
    });
    let typing = null;
    form.addEventListener("input", (event) => {
      if (event.target.type === "radio" || event.target.type === "checkbox") return;
      showTotal();
      window.clearTimeout(typing);
      typing = window.setTimeout(save, 300);
    });
    for (const button of form.querySelectorAll("[data-step]")) {
      button.addEventListener("click", () => {
        const field = button.parentElement.querySelector("input[type=number]");
        const next = Math.max(0, Math.min(999, (Number.parseInt(field.value || "0", 10) || 0) + Number(button.dataset.step)));
        field.value = String(next);
        field.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    const discard = form.querySelector("[data-draft-discard]");
    discard.addEventListener("click", async () => {
      await dropDraft(id);
      window.location.reload();
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await save();
      if (!navigator.onLine) {
        await keep();
        return;
      }
      await send();
    });
    const retry = () => {
      if (draft && draft.pending && navigator.onLine) send();
    };
    window.addEventListener("online", retry);
    window.setInterval(retry, RETRY_MS);
    retry();

    // The position, where the phone allows it: asked once, never waited for.
    const latitude = form.elements.namedItem("latitude");
    const longitude = form.elements.namedItem("longitude");
    if (latitude.value && draft && draft.accuracy) {
      positionBox.textContent = fill(words.positionFound, { m: draft.accuracy });
    } else if (navigator.geolocation && window.isSecureContext) {
      positionBox.textContent = words.positionAsking;
      navigator.geolocation.getCurrentPosition(
        async (position) => {
          latitude.value = position.coords.latitude.toFixed(6);
          longitude.value = position.coords.longitude.toFixed(6);
          accuracy = Math.round(position.coords.accuracy);
          positionBox.textContent = fill(words.positionFound, { m: accuracy });
          if (draft) await save();
        },
        () => {
          positionBox.textContent = words.positionNone;
        },
        { enableHighAccuracy: false, timeout: 20000, maximumAge: 600000 },
      );
    } else {
      positionBox.textContent = words.positionNone;
    }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
