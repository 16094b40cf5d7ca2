/* The member portal works offline: register its service worker (URL from the script tag's data-sw). */
(function () {
  var sw = document.currentScript && document.currentScript.dataset.sw;
  if (sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(sw, {scope: "/portal/"}).catch(function () {});
  }
})();
