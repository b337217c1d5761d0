// Screen readers hear what an htmx update did. Content swapped in may carry data-announce="...":
// its words are read out through the page's one polite live region (#live-status). A live
// region inserted with the new content is often not read, so the region exists from page load.
(function () {
  "use strict";
  function markAll() {
    document.querySelectorAll("[data-announce]").forEach(function (el) {
      el.dataset.announced = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", markAll);
  document.addEventListener("htmx:afterSettle", function () {
    var region = document.getElementById("live-status");
    if (!region) return;
    var words = [];
    document.querySelectorAll("[data-announce]:not([data-announced])").forEach(function (el) {
      el.dataset.announced = "1";
      if (el.dataset.announce) words.push(el.dataset.announce);
    });
    if (!words.length) return;
    // Emptied first, so the same words said twice are read twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = words.join(" "); }, 50);
  });
})();
