// The registry page of a campaign's nominations: one box ticks every household of the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("[data-tick-all]")) {
      return;
    }
    var form = all.closest("form");
    form.querySelectorAll('input[type="checkbox"][name="household"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
