// Poolgate console: what the pages do better with a script. Every page works without
// it; the server checks everything again.
"use strict";

// The password policy's rules, kept in step with the form as it changes, and checked
// against a password typed into "Try a password".
function passwordRules() {
  const form = document.getElementById("pool-form");
  const list = document.getElementById("password-rules");
  if (!form || !list) return;
  const tryField = document.getElementById("try-password");
  const result = document.getElementById("try-password-result");
  const symbols = list.closest(".rules").dataset.symbols || "";
  const checks = {
    number: (p) => /[0-9]/.test(p),
    symbol: (p) => [...p].some((c) => symbols.includes(c)),
    upper: (p) => /\p{Lu}/u.test(p),
    lower: (p) => /\p{Ll}/u.test(p),
  };
  const texts = {
    number: "Contains at least 1 number",
    symbol: "Contains at least 1 special character",
    upper: "Contains at least 1 uppercase letter",
    lower: "Contains at least 1 lowercase letter",
  };

  function update() {
    const length = parseInt(form.elements.min_length.value, 10) || 0;
    const required = [...form.querySelectorAll('input[name="require"]:checked')].map((i) => i.value);
    const rules = [["length", `Contains at least ${length} characters`, (p) => p.length >= length]];
    for (const key of ["number", "symbol", "upper", "lower"]) {
      if (required.includes(key)) rules.push([key, texts[key], checks[key]]);
    }
    const password = tryField ? tryField.value : "";
    list.replaceChildren();
    let unmet = 0;
    for (const [key, text, ok] of rules) {
      const item = document.createElement("li");
      item.dataset.rule = key;
      item.textContent = text;
      if (password) {
        const met = ok(password);
        if (!met) unmet += 1;
        item.className = met ? "met" : "unmet";
        const state = document.createElement("span");
        state.className = "sr-only";
        state.textContent = met ? " (met)" : " (not met)";
        item.append(state);
      }
      list.append(item);
    }
    if (result) {
      result.textContent = !password ? "" :
        unmet ? `${unmet} rule${unmet > 1 ? "s" : ""} not met.` : "This password meets every rule.";
    }
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}

// Forms that destroy something ask first.
function confirmations() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

// The branding preview follows the CSS as it is typed: the form is posted to the
// preview frame, as its Preview button does.
function brandingPreview() {
  const form = document.getElementById("branding-form");
  if (!form) return;
  const button = form.querySelector('button[formtarget="preview"]');
  const css = document.getElementById("f-css");
  let timer = null;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => form.requestSubmit(button), 600);
  };
  css.addEventListener("input", refresh);
  const logo = document.getElementById("f-logo");
  if (logo) logo.addEventListener("change", refresh);
}

document.addEventListener("DOMContentLoaded", () => {
  passwordRules();
  confirmations();
  brandingPreview();
});
