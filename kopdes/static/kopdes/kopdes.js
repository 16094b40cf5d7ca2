/* Kopdes page behaviours, loaded by every page. The Content-Security-Policy allows no inline script and no
   onclick= attributes, so templates declare behaviour with data attributes and this file attaches it
   (by delegation on the document, so it also works for HTML that htmx swaps in later):

   data-confirm="Question?"      on a button/link: ask before the click goes on; on a form: before it submits
   data-print                    button: window.print()
   data-autoprint                on any element of the page: print once the page has loaded
   data-autosubmit               select: submit its form when the choice changes
   data-navigate                 select: go to the chosen option's value (a URL)
   data-submit-once              form: disable its buttons once it is submitted (no double posting)
   data-fill-target="#id" data-fill-value="v"   button: put v into the field #id
   .region-picker[data-target]   the cascading desa picker of core/_region_picker.html
*/
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && el.tagName !== "FORM" && !window.confirm(el.dataset.confirm)) {
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    var p = e.target.closest("[data-print]");
    if (p) { e.preventDefault(); window.print(); return; }
    var f = e.target.closest("[data-fill-target]");
    if (f) {
      var field = document.querySelector(f.dataset.fillTarget);
      if (field) { field.value = f.dataset.fillValue; }
    }
  }, true);

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    if (form.matches("form[data-submit-once]")) {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }
  });

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
    else if (el.matches("select[data-navigate]") && el.value) { window.location.href = el.value; }
  });

  // htmx: the region picker's selects send their own value as ?parent= (was hx-vals='js:…', which needs eval)
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-region-parent")) {
      e.detail.parameters.parent = elt.value;
    }
  });

  function initRegionPicker(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    var name = picker.dataset.target;
    var target = function () { return document.querySelector('[name="' + name + '"]'); };
    var desa = picker.querySelector("[data-region-desa]");
    if (desa) desa.addEventListener("change", function (e) { target().value = e.target.value; });
    var search = picker.querySelector("[data-region-search]"), box = picker.querySelector("[data-region-results]");
    var timer;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = search.value.trim();
        box.innerHTML = "";
        if (q.length < 2) return;
        fetch(picker.dataset.searchUrl + "?level=" + encodeURIComponent(picker.dataset.level || "4") +
              "&q=" + encodeURIComponent(q))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            data.results.forEach(function (it) {
              var a = document.createElement("button");
              a.type = "button";
              a.className = "list-group-item list-group-item-action py-1";
              a.textContent = it.kind + " " + it.path + " (" + it.code + ")";
              a.addEventListener("click", function () { target().value = it.code; box.innerHTML = ""; search.value = it.path; });
              box.appendChild(a);
            });
          });
      }, 250);
    });
  }

  function init(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".region-picker[data-target]").forEach(initRegionPicker);
  }

  document.addEventListener("htmx:load", function (e) { init(e.target); });
  function ready() {
    init(document);
    if (document.querySelector("[data-autoprint]")) { window.print(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
