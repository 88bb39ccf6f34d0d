// Secrets from the URL fragment. Links in mails carry their secret after "#" (for example
// /password/reset#token=gtr_…), which a browser never sends to any server, so it stays out
// of access logs and proxies. This script moves it from the address into the page:
//
//   - every <input data-from-fragment name="N"> gets the fragment's value of N
//     (the fragment is read as a query string: #N=value&M=value);
//   - the fragment is then removed from the address with history.replaceState, so the
//     secret is in neither the history, nor a bookmark, nor a copied address;
//   - elements marked data-fragment-shows are shown and those marked data-fragment-hides
//     hidden, so a page can offer one form to people who came from a link and another to
//     people who did not.
//
// Only marked fields are filled, so a crafted link cannot overwrite any other field of a
// form (its CSRF token, say). Without JavaScript nothing happens and the page's <noscript>
// says so.
"use strict";
(function () {
  if (location.hash.length < 2) return;
  var params = new URLSearchParams(location.hash.slice(1));
  var fields = document.querySelectorAll("input[data-from-fragment]");
  var found = false;
  fields.forEach(function (field) {
    var value = params.get(field.name);
    if (value) {
      field.value = value;
      found = true;
    }
  });
  if (!found) return;
  history.replaceState(history.state, "", location.pathname + location.search);
  document.querySelectorAll("[data-fragment-shows]").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll("[data-fragment-hides]").forEach(function (el) { el.hidden = true; });
})();
