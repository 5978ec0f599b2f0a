// The public forms of a campaign: a live character counter under a text area, and the
// county → township → village selects filled from the campaign's places as each is chosen.
(function () {
  "use strict";

  function counters() {
    document.querySelectorAll("[data-counter-for]").forEach(function (out) {
      var area = document.getElementById(out.getAttribute("data-counter-for"));
      if (!area) return;
      var max = parseInt(area.getAttribute("data-count") || area.getAttribute("maxlength") || "0", 10);
      var text = out.getAttribute("data-counter-text") || "{n} / {max}";
      function update() {
        var n = Array.from(area.value).length;
        out.textContent = text.replace("{n}", n).replace("{max}", max);
        out.classList.toggle("fl-counter-over", n > max);
      }
      area.addEventListener("input", update);
      update();
    });
  }

  function places() {
    var box = document.querySelector("[data-places-url]");
    if (!box) return;
    var url = box.getAttribute("data-places-url");
    var selects = Array.from(box.querySelectorAll("select[data-place-level]"));
    function clearFrom(index) {
      for (var i = index; i < selects.length; i++) {
        var select = selects[i];
        while (select.options.length > 1) select.remove(1);
        select.disabled = true;
      }
    }
    selects.forEach(function (select, index) {
      if (index > 0 && select.options.length <= 1) select.disabled = true;
      select.addEventListener("change", function () {
        var next = selects[index + 1];
        if (!next) return;
        clearFrom(index + 1);
        if (!select.value) return;
        fetch(url + "?parent=" + encodeURIComponent(select.value), { headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) throw new Error(response.status);
            return response.json();
          })
          .then(function (data) {
            data.places.forEach(function (place) {
              next.add(new Option(place.name, place.id));
            });
            next.disabled = false;
            next.focus();
          })
          .catch(function () {
            next.disabled = false;
          });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    counters();
    places();
  });
})();
