// Progressive enhancement only: asks before leaving a page whose form
// (marked data-unsaved-warning) has changes that were not saved. Saving,
// "Save and next section" and the server-side draft work the same without
// JavaScript; this only stops a click on a link from silently losing input.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-unsaved-warning]");
  if (!forms.length) { return; }
  var dirty = false;
  var leavingBySave = false;

  forms.forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    // Sending the form itself is how the changes get saved: no question then.
    form.addEventListener("submit", function () { leavingBySave = true; });
  });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty || leavingBySave) { return; }
    event.preventDefault();
    event.returnValue = "";  // older Chromium needs a value to show its dialog
  });

  // Back from the browser cache (bfcache): the page is as it was left.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { leavingBySave = false; }
  });
}());
