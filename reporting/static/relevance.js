// Progressive enhancement only: hides questions whose show_if condition is
// false as the user answers. The server applies the same rules on save, so
// the page works the same without JavaScript.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  if (!form) { return; }

  // Answers a rule reads from other pages (the screening questions), as saved.
  var outside = JSON.parse(form.getAttribute("data-answers") || "{}");

  function answer(key) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(key) + '"]');
    if (!inputs.length) { return key in outside ? outside[key] : null; }
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value !== "") { values.push(input.value); }
    });
    if (inputs.length === 1 && inputs[0].type === "checkbox" && inputs[0].value === "y") { return values.length ? true : null; }
    if (inputs[0].type === "checkbox") { return values.length ? values : null; }
    if (!values.length) { return null; }
    var number = Number(values[0]);
    return inputs[0].type === "number" || (inputs[0].inputMode === "decimal" && !isNaN(number)) ? number : values[0];
  }

  // Mirrors reporting/questionnaire/expressions.py evaluate(): a missing
  // answer is null, comparisons with null are false, arithmetic gives null.
  function isNumber(v) { return typeof v === "number"; }
  function equal(a, b) { return a === b; }
  var ORDER = {"<": function (a, b) { return a < b; }, "<=": function (a, b) { return a <= b; },
               ">": function (a, b) { return a > b; }, ">=": function (a, b) { return a >= b; }};

  function evaluate(node) {
    var args = node.args || [];
    switch (node.op) {
      case "literal": return node.value;
      case "ref": return answer(node.key);
      case "list": return args.map(evaluate);
      case "not": return !evaluate(args[0]);
      case "neg": var n = evaluate(args[0]); return isNumber(n) ? -n : null;
      case "and": return Boolean(evaluate(args[0])) && Boolean(evaluate(args[1]));
      case "or": return Boolean(evaluate(args[0])) || Boolean(evaluate(args[1]));
      case "in": case "not in":
        var value = evaluate(args[0]), values = evaluate(args[1]);
        if (value === null || !Array.isArray(values)) { return false; }
        return values.some(function (v) { return equal(value, v); }) !== (node.op === "not in");
    }
    var left = evaluate(args[0]), right = evaluate(args[1]);
    if (node.op in ORDER || node.op === "==" || node.op === "!=") {
      if (left === null || right === null) { return false; }
      if (node.op === "==") { return equal(left, right); }
      if (node.op === "!=") { return !equal(left, right); }
      var comparable = (isNumber(left) && isNumber(right)) || (typeof left === "string" && typeof right === "string");
      return comparable && ORDER[node.op](left, right);
    }
    if (!isNumber(left) || !isNumber(right)) { return null; }
    switch (node.op) {
      case "+": return left + right;
      case "-": return left - right;
      case "*": return left * right;
      case "/": return right ? left / right : null;
    }
    return null;
  }

  var conditional = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  function refresh() {
    conditional.forEach(function (element) {
      var visible;
      try { visible = Boolean(evaluate(JSON.parse(element.dataset.showIf))); } catch (e) { visible = true; }
      element.hidden = !visible;
    });
  }
  form.addEventListener("change", refresh);
  refresh();
}());
