// Passkeys on the pages (issue #16). WebAuthn has no form of its own: the browser's
// navigator.credentials must be called from a script, so this one drives the three places
// that use passkeys, each found by a data attribute:
//
//   - [data-passkey-login] (the login page): a login with a passkey alone, no username;
//   - [data-passkey-step] (the login's second step): the passkey as the second factor, its
//     options given by the server in data-passkey-options;
//   - [data-passkey-add] (the account page): adding a passkey;
//   - [data-passkey-proof] (the account page's forms that change factors): a button that
//     proves the owner with a passkey instead of a code, posting the form with the answer.
//
// Each place stays hidden until this script has wired it, so without JavaScript (or without
// WebAuthn) the page shows only what works: its forms. The script talks to the JSON API on
// the same origin (the Content-Security-Policy allows no other), and shows failures in the
// place's element with role=alert.
//
// The API speaks WebAuthn in JSON, with binary fields in unpadded base64url; the browser
// wants ArrayBuffers. The conversions below are written out by hand rather than left to
// PublicKeyCredential.parseCreationOptionsFromJSON and .toJSON, which older browsers lack:
// one code path for every browser, and the one the tests run.
"use strict";
(function () {
  // --- base64url <-> ArrayBuffer -------------------------------------------------------

  function toBuffer(s) {
    var b64 = String(s).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function fromBuffer(buf) {
    if (!buf) return null;
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type, id: toBuffer(d.id) };
      if (d.transports) out.transports = d.transports;
      return out;
    });
  }

  // The server's options are {"publicKey": {...}}; these return the publicKey member with
  // its binary fields decoded, ready for navigator.credentials.

  function creationOptions(json) {
    var o = Object.assign({}, json.publicKey || json);
    o.challenge = toBuffer(o.challenge);
    o.user = Object.assign({}, o.user, { id: toBuffer(o.user.id) });
    if (o.excludeCredentials) o.excludeCredentials = descriptors(o.excludeCredentials);
    return o;
  }

  function requestOptions(json) {
    var o = Object.assign({}, json.publicKey || json);
    o.challenge = toBuffer(o.challenge);
    if (o.allowCredentials) o.allowCredentials = descriptors(o.allowCredentials);
    return o;
  }

  // credentialJSON writes a PublicKeyCredential (from create or get) as the API reads it.
  function credentialJSON(cred) {
    var r = cred.response;
    var response = { clientDataJSON: fromBuffer(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = fromBuffer(r.attestationObject);
      if (typeof r.getTransports === "function") response.transports = r.getTransports();
    } else {
      response.authenticatorData = fromBuffer(r.authenticatorData);
      response.signature = fromBuffer(r.signature);
      if (r.userHandle) response.userHandle = fromBuffer(r.userHandle);
    }
    var out = {
      id: cred.id,
      rawId: fromBuffer(cred.rawId),
      type: cred.type,
      response: response,
      clientExtensionResults: typeof cred.getClientExtensionResults === "function" ? cred.getClientExtensionResults() : {},
    };
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
    return out;
  }

  // --- talking to the API ----------------------------------------------------------------

  // apiError is a failed call: the problem document's detail and per-field messages.
  function apiError(status, problem) {
    var e = new Error((problem && problem.detail) || "The server answered " + status + ".");
    e.status = status;
    e.fields = (problem && problem.errors) || {};
    return e;
  }

  // call POSTs body (JSON) to path with the session's cookies, and returns the answer's
  // JSON, or throws apiError.
  function call(path, body, csrf) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (csrf) headers["X-CSRFToken"] = csrf;
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(body || {}),
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (ignored) { /* not JSON */ }
        if (!resp.ok) throw apiError(resp.status, data);
        return data;
      });
    });
  }

  // browserError words what navigator.credentials refused with, for people.
  function browserError(e) {
    if (e && e.name === "NotAllowedError") return new Error("The passkey was not used: the request was cancelled or timed out. Try again.");
    if (e && e.name === "InvalidStateError") return new Error("This device holds a passkey for your account already.");
    if (e && e.name === "SecurityError") return new Error("Passkeys do not work on this address.");
    return e;
  }

  function getCredential(options) {
    return navigator.credentials.get({ publicKey: requestOptions(options) }).then(credentialJSON, function (e) {
      throw browserError(e);
    });
  }

  function createCredential(options) {
    return navigator.credentials.create({ publicKey: creationOptions(options) }).then(credentialJSON, function (e) {
      throw browserError(e);
    });
  }

  // --- showing results -------------------------------------------------------------------

  // showError writes e into the place's alert: its detail, then one line per field message.
  function showError(alert, e) {
    alert.textContent = "";
    alert.appendChild(document.createTextNode(e.message || String(e)));
    Object.keys(e.fields || {}).forEach(function (field) {
      e.fields[field].forEach(function (msg) {
        var p = document.createElement("p");
        p.textContent = msg;
        alert.appendChild(p);
      });
    });
    alert.hidden = false;
  }

  function clearError(alert) {
    alert.hidden = true;
    alert.textContent = "";
  }

  // localPath is next when it is a path on this site (the server checked it already).
  function localPath(next) {
    return /^\/(?![\/\\])/.test(next || "") ? next : "/account";
  }

  // busy disables button while promise runs, and re-enables it if the promise fails.
  function busy(button, promise) {
    button.disabled = true;
    return promise.catch(function (e) {
      button.disabled = false;
      throw e;
    });
  }

  // --- the three places ------------------------------------------------------------------

  // loginWithPasskey: options, the authenticator, then a session, as /v1/auth/login gives.
  function wireLogin(place) {
    var button = place.querySelector("button");
    var alert = place.querySelector("[role=alert]");
    button.addEventListener("click", function () {
      clearError(alert);
      busy(button, call("/v1/auth/passkey/options")
        .then(getCredential)
        .then(function (credential) { return call("/v1/auth/passkey/login", { credential: credential }); })
      ).then(function () {
        location.assign(localPath(place.dataset.next));
      }, function (e) { showError(alert, e); });
    });
  }

  // wireStep: the passkey as second factor. A ticket the server no longer takes sends the
  // browser back to log in, as the step's forms do. The page's options hold one challenge,
  // which the server spends on the first answer it gets: after a refusal the button stays
  // off, while a cancelled prompt (no answer sent) can be tried again.
  function wireStep(place) {
    var form = place.querySelector("form");
    var button = form.querySelector("button");
    var alert = place.querySelector("[role=alert]");
    var options = JSON.parse(place.dataset.passkeyOptions);
    var next = form.elements.next ? form.elements.next.value : "";
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearError(alert);
      busy(button, getCredential(options).then(function (credential) {
        return call("/v1/auth/mfa/verify", { ticket: form.elements.ticket.value, passkey: credential });
      })).then(function () {
        location.assign(localPath(next));
      }, function (e) {
        if (e.fields && e.fields.ticket) {
          var q = new URLSearchParams({ done: "login-expired" });
          if (next) q.set("next", next);
          location.assign("/login?" + q.toString());
          return;
        }
        if (e.status) {
          button.disabled = true;
          // The API words every refused second factor as a wrong code.
          if (e.status === 401) e.message = "Your passkey could not be verified.";
          e.message += " To use your passkey again, start again with your password.";
        }
        showError(alert, e);
      });
    });
  }

  // proveWithPasskey asks the device for an assertion that proves the owner of the account
  // (/v1/auth/mfa/passkey/options), for a change of factors.
  function proveWithPasskey(csrf) {
    return call("/v1/auth/mfa/passkey/options", null, csrf).then(getCredential);
  }

  // wireProof: a form that changes factors, proven with a passkey. Its fields are checked
  // first (the password); then the device's answer goes into the hidden "passkey" field and
  // the form is posted as it would be with a code.
  function wireProof(button) {
    var form = button.form;
    var alert = form.querySelector("[data-passkey-proof-error]");
    button.addEventListener("click", function () {
      clearError(alert);
      if (!form.reportValidity()) return;
      busy(button, proveWithPasskey(form.elements.csrfmiddlewaretoken.value)).then(function (assertion) {
        form.elements.passkey.value = JSON.stringify(assertion);
        form.submit();
      }, function (e) { showError(alert, e); });
    });
  }

  // wireAdd: options, the authenticator, then the passkey stored with the owner's proof: the
  // password and, for an account with a factor, a code or recovery code typed in the form,
  // or else (data-proof="passkey") an assertion by a passkey the account has. The first
  // factor of an account also brings recovery codes, shown here once before the page
  // reloads.
  function wireAdd(place) {
    var form = place.querySelector("form");
    var button = form.querySelector("button[type=submit]");
    var alert = place.querySelector("[role=alert]");
    var codes = place.querySelector("[data-passkey-codes]");
    var done = function () { location.assign("/account?done=passkey-added#passkeys"); };
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearError(alert);
      var csrf = form.elements.csrfmiddlewaretoken.value;
      var body = { name: form.elements.namedItem("name").value, password: form.elements.password.value };
      ["code", "recovery_code"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && field.value) body[name] = field.value;
      });
      var proof = Promise.resolve();
      if (place.dataset.proof === "passkey" && !body.code && !body.recovery_code) {
        proof = proveWithPasskey(csrf).then(function (assertion) { body.passkey = assertion; });
      }
      busy(button, proof
        .then(function () { return call("/v1/auth/passkeys/options", null, csrf); })
        .then(createCredential)
        .then(function (credential) {
          body.credential = credential;
          return call("/v1/auth/passkeys", body, csrf);
        })
      ).then(function (added) {
        form.elements.password.value = "";
        if (!added || !added.recovery_codes || !added.recovery_codes.length) {
          done();
          return;
        }
        form.hidden = true;
        codes.querySelector("textarea").value = added.recovery_codes.join("\n");
        codes.querySelector("[data-passkey-done]").addEventListener("click", done);
        codes.hidden = false;
        codes.scrollIntoView();
      }, function (e) { showError(alert, e); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) return;
    var wirings = [["[data-passkey-login]", wireLogin], ["[data-passkey-step]", wireStep], ["[data-passkey-add]", wireAdd],
      ["[data-passkey-proof]", wireProof]];
    wirings.forEach(function (w) {
      document.querySelectorAll(w[0]).forEach(function (place) {
        w[1](place);
        place.hidden = false;
      });
    });
  });
})();
