// The pre-visit form, one step at a time: progress, follow-up questions shown only when an
// earlier answer calls for them, answers kept in localStorage so a reload loses nothing, the
// body map, and messages naming each missing answer. Without script the form still works as
// one long page, checked by the server.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var draftKey = form.getAttribute("data-draft-key");
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var current = 0;

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token";
    });
  }

  function answers() {
    var data = {};
    fields().forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (!el.value) { return; }
      (data[el.name] = data[el.name] || []).push(el.value);
    });
    return data;
  }

  function save() {
    var data = answers();
    data._step = [steps[currentIndex()].getAttribute("data-step")];
    try { window.localStorage.setItem(draftKey, JSON.stringify(data)); } catch (e) { /* full */ }
  }

  function restore() {
    var data = null;
    try { data = JSON.parse(window.localStorage.getItem(draftKey) || "null"); } catch (e) { }
    if (!data) { return null; }
    fields().forEach(function (el) {
      var values = data[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") { el.checked = values.indexOf(el.value) >= 0; }
      else { el.value = values[0] || ""; }
    });
    return data._step ? data._step[0] : null;
  }

  function shown(condition, data) {
    return Object.keys(condition).every(function (name) {
      var wanted = condition[name];
      var given = data[name] || [];
      if (!given.length) { return false; }
      return wanted.indexOf("*") >= 0 || given.some(function (v) { return wanted.indexOf(v) >= 0; });
    });
  }

  function applyConditions() {
    var data = answers();
    Array.prototype.forEach.call(form.querySelectorAll("[data-show-if]"), function (el) {
      el.hidden = !shown(JSON.parse(el.getAttribute("data-show-if")), data);
    });
  }

  function visibleSteps() { return steps.filter(function (s) { return !s.hidden; }); }

  // A hidden step whose condition is not answered yet may still appear: counting it now keeps
  // the total from growing as the patient answers ("1 of 7", then "2 of 8").
  function undecided(step, data) {
    var condition = step.getAttribute("data-show-if");
    if (!step.hidden || !condition) { return false; }
    return Object.keys(JSON.parse(condition)).some(function (name) {
      return !(data[name] || []).length;
    });
  }

  function stepTotal(visible) {
    var data = answers();
    return visible.length + steps.filter(function (s) { return undecided(s, data); }).length;
  }
  function currentIndex() { return steps.indexOf(visibleSteps()[current] || steps[0]); }

  function show(index, focus) {
    var visible = visibleSteps();
    current = Math.max(0, Math.min(index, visible.length - 1));
    steps.forEach(function (s) { s.classList.remove("current"); });
    visible[current].classList.add("current");
    var total = stepTotal(visible);
    var text = form.getAttribute("data-progress")
      .replace("{n}", String(current + 1)).replace("{total}", String(total));
    document.getElementById("progress-text").textContent = text;
    var bar = document.getElementById("progress-bar");
    bar.max = total; bar.value = current + 1;
    Array.prototype.forEach.call(visible[current].querySelectorAll("[data-prev]"), function (b) {
      b.hidden = current === 0;
    });
    if (focus) { visible[current].querySelector("h2").focus(); }
  }

  function answered(question) {
    if (question.querySelector("input:checked")) { return true; }
    return Array.prototype.some.call(
      question.querySelectorAll("input[type=number], input[type=date], input[type=text], textarea"),
      function (el) { return el.value.trim() !== ""; });
  }

  function missingIn(step) {
    return Array.prototype.filter.call(step.querySelectorAll("[data-required]"), function (q) {
      return !q.hidden && !answered(q);
    });
  }

  function markQuestion(question, message) {
    var error = question.querySelector(".field-error");
    question.classList.toggle("has-error", Boolean(message));
    error.textContent = message || "";
    error.hidden = !message;
  }

  function check(step) {
    var missing = missingIn(step);
    var box = step.querySelector(".step-errors");
    var message = form.getAttribute("data-missing");
    missing.forEach(function (q) { markQuestion(q, message); });
    if (!missing.length) { box.hidden = true; box.innerHTML = ""; return true; }
    box.innerHTML = "";
    var list = document.createElement("ul");
    missing.forEach(function (q) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + q.id;
      link.textContent = q.getAttribute("data-label") + ": " + message;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var input = q.querySelector("input, textarea, select");
        if (input) { input.focus(); }
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
    box.hidden = false;
    box.setAttribute("tabindex", "-1");
    box.focus();
    return false;
  }

  function stepOf(element) {
    var visible = visibleSteps();
    for (var i = 0; i < visible.length; i += 1) { if (visible[i].contains(element)) { return i; } }
    return 0;
  }

  // The body map: tapping a region ticks the matching checkbox; ticked regions are shaded.
  function updateMap() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-region]"), function (region) {
      var box = form.querySelector("input[name=pain_locations][value=" + region.getAttribute("data-region") + "]");
      region.classList.toggle("selected", Boolean(box && box.checked));
    });
  }
  Array.prototype.forEach.call(form.querySelectorAll("[data-region]"), function (region) {
    region.addEventListener("click", function () {
      var box = form.querySelector("input[name=pain_locations][value=" + region.getAttribute("data-region") + "]");
      if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
    });
  });

  form.addEventListener("change", function (event) {
    applyConditions();
    updateMap();
    var question = event.target.closest("[data-question]");
    if (question && answered(question)) { markQuestion(question, ""); }
    save();
  });
  form.addEventListener("input", save);

  form.addEventListener("click", function (event) {
    var visible = visibleSteps();
    if (event.target.closest("[data-next]")) {
      if (check(visible[current])) { show(current + 1, true); save(); }
    } else if (event.target.closest("[data-prev]")) {
      show(current - 1, true); save();
    }
  });

  form.addEventListener("submit", function (event) {
    var visible = visibleSteps();
    for (var i = 0; i < visible.length; i += 1) {
      if (missingIn(visible[i]).length) {
        event.preventDefault();
        show(i, false);
        check(visible[i]);
        return;
      }
    }
  });

  form.classList.add("js-steps");
  Array.prototype.forEach.call(form.querySelectorAll(".step-nav, .progress-box"), function (el) {
    el.hidden = false;
  });
  var savedStep = form.getAttribute("data-restore") === "yes" ? restore() : null;
  applyConditions();
  updateMap();
  var firstError = document.querySelector(".question.has-error:not([hidden])");
  var start = 0;
  if (firstError) { start = stepOf(firstError); }
  else if (savedStep) {
    visibleSteps().forEach(function (s, i) { if (s.getAttribute("data-step") === savedStep) { start = i; } });
  }
  show(start, false);
  Array.prototype.forEach.call(document.querySelectorAll("[data-goto]"), function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById("q-" + link.getAttribute("data-goto"));
      if (!target) { return; }
      event.preventDefault();
      show(stepOf(target), false);
      var input = target.querySelector("input, textarea, select");
      if (input) { input.focus(); }
    });
  });
}());
