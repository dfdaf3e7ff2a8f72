// Security keys and passkeys: the browser's side of the WebAuthn ceremonies.
// Plain JavaScript, no build step, loaded on every page (<script type="module">
// with the page's CSP nonce). The server renders the markup; this module wires
// up what carries data-webauthn="..." through event delegation on the document,
// so it also works on pages the router renders later:
//
//   <form data-webauthn="register">           "Add a security key" (inputs: name, password, code;
//                                             data-confirm="key": confirm with a registered key first)
//   <button data-webauthn="confirm">          "Confirm with your security key" (before setting up the app)
//   <button data-webauthn="second-step">      "Use your security key" at the login's second step
//   <button data-webauthn="passkey">          "Sign in with a passkey" on the login page
//
// Each talks to server functions under /api/ with form-encoded arguments (the
// authenticator's answer as one JSON field) and reads JSON back: the same CSRF
// and body rules as every other form. The closest [data-webauthn-scope] holds
// data-origin (where keys work), data-next (where to go after a login) and a
// [data-webauthn-error] element for messages.

const b64 = {
  toBytes(s) {
    const base64 = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  },
  fromBytes(buffer) {
    const bytes = new Uint8Array(buffer);
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
};

async function call(endpoint, args) {
  const res = await fetch(`/api/${endpoint}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(args),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = { message: text };
  }
  if (!res.ok) {
    const error = new Error(body.message || `The server answered ${res.status}.`);
    error.field = body.field;
    throw error;
  }
  return body;
}

function creationOptions(json) {
  const pk = structuredClone(json.publicKey);
  if (globalThis.PublicKeyCredential?.parseCreationOptionsFromJSON) {
    return { publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(pk) };
  }
  pk.challenge = b64.toBytes(pk.challenge);
  pk.user.id = b64.toBytes(pk.user.id);
  for (const c of pk.excludeCredentials || []) c.id = b64.toBytes(c.id);
  return { publicKey: pk };
}

function requestOptions(json) {
  const pk = structuredClone(json.publicKey);
  if (globalThis.PublicKeyCredential?.parseRequestOptionsFromJSON) {
    return { publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(pk) };
  }
  pk.challenge = b64.toBytes(pk.challenge);
  for (const c of pk.allowCredentials || []) c.id = b64.toBytes(c.id);
  return { publicKey: pk };
}

// The answer as the server reads it (PublicKeyCredential.toJSON(), by hand where missing).
function answer(credential) {
  if (typeof credential.toJSON === "function") return JSON.stringify(credential.toJSON());
  const r = credential.response;
  const response = { clientDataJSON: b64.fromBytes(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = b64.fromBytes(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = b64.fromBytes(r.authenticatorData);
    response.signature = b64.fromBytes(r.signature);
    response.userHandle = r.userHandle ? b64.fromBytes(r.userHandle) : null;
  }
  return JSON.stringify({
    id: credential.id,
    rawId: b64.fromBytes(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
  });
}

function scopeOf(el) {
  return el.closest("[data-webauthn-scope]") || document.body;
}

function say(scope, message) {
  const box = scope.querySelector("[data-webauthn-error]");
  if (box) {
    box.textContent = message;
    box.hidden = !message;
  } else if (message) {
    alert(message);
  }
}

// Keys are bound to one origin: on another address they cannot work, so say why.
function checkOrigin(scope) {
  const origin = scope.dataset.origin;
  if (!window.PublicKeyCredential) {
    throw new Error("This browser does not support security keys or passkeys.");
  }
  if (origin && origin !== location.origin) {
    throw new Error(
      `Security keys work only at ${origin}, and this page was opened at ${location.origin}. Open Portcullis at ${origin}.`,
    );
  }
}

function words(error) {
  if (error?.name === "NotAllowedError") return "The security key request was cancelled or timed out. Try again.";
  if (error?.name === "InvalidStateError") return "This security key is registered already.";
  return error?.message || String(error);
}

function busy(el, on) {
  const button = el.matches("button") ? el : el.querySelector("button[type=submit], button:not([type])");
  if (button) {
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
  }
}

// ----- "Add a security key" -----

function showCodes(scope, codes) {
  const box = scope.querySelector("[data-webauthn-codes]");
  if (!box) return reload();
  const list = box.querySelector("[data-webauthn-code-list]");
  list.replaceChildren(
    ...codes.map((code) => {
      const li = document.createElement("li");
      li.textContent = code;
      return li;
    }),
  );
  box.hidden = false;
  box.querySelector("[data-webauthn-download]")?.addEventListener("click", () => {
    const blob = new Blob([codes.join("\n") + "\n"], { type: "text/plain" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "portcullis-backup-codes.txt";
    a.click();
    URL.revokeObjectURL(a.href);
  });
  box.querySelector("[data-webauthn-saved]")?.addEventListener("click", () => reload());
}

// An account with 2FA confirms a protection change with one of its keys (or a code from its app).
async function confirmWithKey(scope) {
  checkOrigin(scope);
  const started = await call("start_key_confirmation", {});
  const credential = await navigator.credentials.get(requestOptions(started.options));
  await call("finish_key_confirmation", { ceremony: started.ceremony, credential: answer(credential) });
}

async function register(form) {
  const scope = scopeOf(form);
  checkOrigin(scope);
  const data = new FormData(form);
  if (form.dataset.confirm === "key") await confirmWithKey(scope);
  const started = await call("start_key_registration", {
    name: data.get("name") || "",
    password: data.get("password") || "",
    code: data.get("code") || "",
  });
  const credential = await navigator.credentials.create(creationOptions(started.options));
  const added = await call("finish_key_registration", { ceremony: started.ceremony, credential: answer(credential) });
  if (added.backup_codes && added.backup_codes.length) {
    form.hidden = true;
    showCodes(scope, added.backup_codes);
  } else {
    reload();
  }
}

// The page again, as it now is: without a document load where navigate.js runs.
function reload() {
  if (typeof window.portcullisVisit === "function") window.portcullisVisit(location.href);
  else location.reload();
}

// ----- signing in -----

let conditional = null; // the passkey autofill request waiting in the background, if any

async function signIn(el, start, finish, mediation) {
  const scope = scopeOf(el);
  checkOrigin(scope);
  const started = await call(start, {});
  const options = requestOptions(started.options);
  if (mediation === "conditional") {
    conditional = new AbortController();
    options.mediation = "conditional";
    options.signal = conditional.signal;
  } else if (conditional) {
    conditional.abort();
    conditional = null;
  }
  const credential = await navigator.credentials.get(options);
  const done = await call(finish, {
    ceremony: started.ceremony,
    credential: answer(credential),
    next: scope.dataset.next || "",
  });
  location.assign(done.next || "/");
}

async function run(el, task) {
  const scope = scopeOf(el);
  say(scope, "");
  busy(el, true);
  try {
    await task();
  } catch (error) {
    if (error?.name !== "AbortError") say(scope, words(error));
  } finally {
    busy(el, false);
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest?.('form[data-webauthn="register"]');
  if (!form) return;
  event.preventDefault();
  run(form, () => register(form));
});

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-webauthn]");
  if (!button || button.matches("form")) return;
  if (button.dataset.webauthn === "second-step") {
    event.preventDefault();
    run(button, () => signIn(button, "start_key_login", "finish_key_login"));
  } else if (button.dataset.webauthn === "passkey") {
    event.preventDefault();
    run(button, () => signIn(button, "start_passkey_login", "finish_passkey_login"));
  } else if (button.dataset.webauthn === "confirm") {
    event.preventDefault();
    run(button, async () => {
      const scope = scopeOf(button);
      await confirmWithKey(scope);
      const done = scope.querySelector("[data-webauthn-done]");
      if (done) done.hidden = false;
    });
  }
});

// Passkeys in the email field's autofill, where the browser offers that (conditional UI).
async function offerAutofill() {
  const button = document.querySelector('[data-webauthn="passkey"]');
  const field = document.querySelector('input[autocomplete~="webauthn"]');
  if (!button || !field || conditional) return;
  if (!(await globalThis.PublicKeyCredential?.isConditionalMediationAvailable?.())) return;
  const scope = scopeOf(button);
  if (scope.dataset.origin && scope.dataset.origin !== location.origin) return;
  signIn(button, "start_passkey_login", "finish_passkey_login", "conditional").catch((error) => {
    // An abort comes from whoever started the next request, which holds `conditional` now.
    if (error?.name === "AbortError") return;
    conditional = null;
    if (error?.name !== "NotAllowedError") say(scope, words(error));
  });
}

if (document.readyState === "complete") {
  offerAutofill();
} else {
  window.addEventListener("load", offerAutofill);
}

// A page swapped in by navigate.js: a passkey request for the page left behind ends, the new one may offer its own.
document.addEventListener("portcullis:navigated", () => {
  conditional?.abort();
  conditional = null;
  offerAutofill();
});
