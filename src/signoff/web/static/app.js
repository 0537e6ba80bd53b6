// signoff console: the only script besides htmx. Progressive enhancement: every page works
// without it. Buttons with data-confirm ask before submitting their form.
"use strict";
document.addEventListener("click", function (ev) {
  var el = ev.target instanceof Element ? ev.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    ev.preventDefault();
  }
});
