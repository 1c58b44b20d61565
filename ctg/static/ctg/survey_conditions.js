// The display conditions of a questionnaire's answering form (ctg.surveys): a question marked
// data-condition-question is shown only when the earlier question meets the condition (« est », « n'est
// pas », « a répondu », « n'a pas répondu »); hidden, its fields are disabled so that nothing of it is sent
// (the server refuses an answer to a hidden question). Without script, every question shows with its
// condition written in its hint.
(function () {
  "use strict";
  function chosen(questionId) {
    var values = [];
    var fields = document.querySelectorAll('[name="q' + questionId + '"], [name="q' + questionId + '-autre"]');
    fields.forEach(function (field) {
      if (field.disabled) {
        return;
      }
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) {
          values.push(field.value);
        }
      } else if (field.value.trim() !== "") {
        values.push(field.value);
      }
    });
    return values;
  }
  function met(element) {
    var source = element.getAttribute("data-condition-question");
    var operator = element.getAttribute("data-condition-operator");
    var option = element.getAttribute("data-condition-option");
    var sourceElement = document.getElementById("question-" + source);
    if (sourceElement && sourceElement.hidden) {
      return false;
    }
    var values = chosen(source);
    if (operator === "a_repondu") {
      return values.length > 0;
    }
    if (operator === "n_a_pas_repondu") {
      return values.length === 0;
    }
    if (operator === "est") {
      return values.indexOf(option) !== -1;
    }
    if (operator === "n_est_pas") {
      return values.indexOf(option) === -1;
    }
    return true;
  }
  function update() {
    document.querySelectorAll("[data-condition-question]").forEach(function (element) {
      var show = met(element);
      element.hidden = !show;
      element.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !show;
      });
    });
  }
  document.addEventListener("change", update);
  document.addEventListener("input", update);
  update();
})();
