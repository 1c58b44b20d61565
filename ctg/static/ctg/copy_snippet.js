// The « Copier le code » buttons (data-ctg-copy="<id of the field to copy>"): shown only when the script
// runs; a click copies the field's text and says so in the status beside the button. Without the clipboard
// API, the text is selected for a manual copy.
(function () {
  "use strict";
  document.querySelectorAll("[data-ctg-copy]").forEach(function (button) {
    var id = button.getAttribute("data-ctg-copy");
    var field = document.getElementById(id);
    var status = document.querySelector('[data-ctg-copy-status="' + id + '"]');
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      function said(text) {
        if (status) {
          status.textContent = text;
        }
      }
      field.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(
          function () { said("Code copié."); },
          function () { said("Copie impossible : le code est sélectionné, copiez-le avec Ctrl+C."); }
        );
      } else {
        said("Le code est sélectionné : copiez-le avec Ctrl+C.");
      }
    });
  });
})();
