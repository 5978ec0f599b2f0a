// The rule form of a points scheme shows what its source names: a work mode for duty records,
// an award level for campaign awards, "for each hour" for duty and volunteer hours, and the
// second-review threshold only with two reviews. Without this script every field shows, and the
// service ignores the ones the source does not use.
(() => {
  const form = document.querySelector("[data-rule-form]");
  if (!form) return;
  const checked = (name) => {
    const input = form.querySelector(`input[name=${name}]:checked`);
    return input ? input.value : "";
  };
  const show = () => {
    const source = checked("source");
    for (const part of form.querySelectorAll("[data-for-source]")) {
      part.hidden = source !== "" && !part.dataset.forSource.split(" ").includes(source);
    }
    const second = form.querySelector("[data-for-two-reviews]");
    if (second) second.hidden = checked("reviews_required") !== "2";
  };
  form.addEventListener("change", show);
  show();
})();
