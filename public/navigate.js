// Client-side navigation for Portcullis's server-rendered pages with islands.
//
// Once the wasm is there (the body says data-hydrated and the loader has
// published __hydrateIsland), a click on a link of this site, and a plain form
// post, fetch the next page and swap the body instead of loading a document:
// no flash, the wasm is not instantiated again, and an island whose component
// and props are the same on the next page stays as it is (state included).
// Back and forward fetch again and restore the scroll position; focus moves to
// the new page's heading and its title is announced.
//
// Before the wasm arrives, without JavaScript, and for whatever this script
// does not know how to follow (another site, a download, an OpenID Connect
// redirect), the browser loads the document as it always did.

// Signing in through another identity provider leaves the site, as OpenID Connect does.
const LEAVE_TO_BROWSER = /^\/(api|oidc|\.well-known|pkg|metrics|login\/upstream)(\/|$)/;
let controller = null; // the navigation in flight, if any
let shown = location.pathname + location.search; // the page the body shows
let announcer = null;

function ready() {
  return document.body?.dataset.hydrated === "true" && typeof window.__hydrateIsland === "function";
}

let started = false;
function start() {
  if (started) return;
  started = true;
  history.scrollRestoration = "manual";
  history.replaceState({ ...(history.state || {}), portcullis: true }, "");
  for (const island of document.querySelectorAll("leptos-island")) island.$$portcullisHydrated = true;
}

// ----- what is ours to follow -----

function linkToFollow(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return null;
  }
  const a = event.target.closest?.("a[href]");
  if (!a || a.target || a.hasAttribute("download") || a.closest("[data-document]")) return null;
  if ((a.getAttribute("rel") || "").split(/\s+/).includes("external")) return null;
  const url = new URL(a.href, document.baseURI);
  if (url.origin !== location.origin || LEAVE_TO_BROWSER.test(url.pathname)) return null;
  // A link to a place on this page: the browser scrolls there itself.
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return null;
  return url;
}

function formToSend(event) {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return null;
  // Islands send their own forms; the authorization pages may send the browser to an application.
  if (form.closest("leptos-island, [data-document]") || form.target) return null;
  if (location.pathname.startsWith("/oidc/")) return null;
  const next = form.querySelector('input[name="next"]');
  if (next && next.value) return null; // signing in to continue to an application
  const method = (event.submitter?.getAttribute("formmethod") || form.method || "get").toUpperCase();
  if (method !== "GET" && method !== "POST") return null;
  const url = new URL(event.submitter?.getAttribute("formaction") || form.action, document.baseURI);
  if (url.origin !== location.origin) return null;
  const data = new FormData(form, event.submitter || null);
  if (method === "GET") {
    url.search = new URLSearchParams(data).toString();
    if (LEAVE_TO_BROWSER.test(url.pathname)) return null;
    return { url, init: { method } };
  }
  const multipart = form.enctype === "multipart/form-data";
  return { url, init: { method, body: multipart ? data : new URLSearchParams(data) } };
}

// ----- going there -----

async function visit(url, init, how) {
  controller?.abort();
  const mine = (controller = new AbortController());
  const main = document.getElementById("main");
  document.documentElement.classList.add("navigating");
  main?.setAttribute("aria-busy", "true");
  const from = location.pathname;
  let answer;
  try {
    const response = await fetch(url, {
      ...init,
      signal: mine.signal,
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    const type = response.headers.get("content-type") || "";
    const arrived = new URL(response.url || url);
    if (arrived.origin !== location.origin || !type.includes("text/html")) {
      answer = { unexpected: response };
    } else {
      answer = { url: arrived, html: await response.text() };
    }
  } catch (error) {
    if (error?.name === "AbortError") return;
    answer = { failed: error };
  } finally {
    if (controller === mine) {
      controller = null;
      document.documentElement.classList.remove("navigating");
      main?.removeAttribute("aria-busy");
    }
  }
  if (controller !== null && controller !== mine) return;
  if (!answer.html) {
    // Somewhere this script does not go (a redirect to another site, an answer
    // that is not a page): a GET is left to the browser; after a POST, the
    // browser shows this page as it now is.
    location.assign(init.method === "POST" ? location.href : url.href);
    return;
  }
  swap(answer.html);
  shown = answer.url.pathname + answer.url.search;
  const target = answer.url.href;
  if (how.pop) {
    // The entry is already where it should be.
  } else if (target === location.href || how.replace) {
    history.replaceState({ portcullis: true }, "", target);
  } else {
    history.pushState({ portcullis: true }, "", target);
  }
  arrive(answer.url, how, from);
}

// The next page's body, keeping the islands that stay.
function swap(html) {
  const next = new DOMParser().parseFromString(html, "text/html");
  const staying = [...document.querySelectorAll("leptos-island")].filter(keepable);
  for (const island of [...next.querySelectorAll("leptos-island")].filter(keepable)) {
    const i = staying.findIndex((old) => sameIsland(old, island));
    if (i >= 0) {
      island.replaceWith(staying[i]);
      staying.splice(i, 1);
    }
  }
  document.body.replaceChildren(...next.body.childNodes);
  if (announcer) document.body.append(announcer);
  document.title = next.title;
}

// The new islands come alive after the new page is painted: paint first, as a document load would.
// Until then the root says so (`data-islands-pending`), for tests and styles.
function hydrateNewIslands(then) {
  document.documentElement.dataset.islandsPending = "";
  requestAnimationFrame(() =>
    setTimeout(() => {
      for (const island of document.querySelectorAll("leptos-island")) {
        if (!island.$$portcullisHydrated) {
          island.$$portcullisHydrated = true;
          window.__hydrateIsland(island, island.dataset.component);
        }
      }
      delete document.documentElement.dataset.islandsPending;
      then();
    }),
  );
}

// A form's own submit button is sent with it, so it never stays: it would
// still say it is working. Other islands carry all they show in their props.
function keepable(island) {
  return !island.closest("form") && !island.parentElement?.closest("leptos-island");
}

function sameIsland(a, b) {
  return a.dataset.component === b.dataset.component && (a.dataset.props || "") === (b.dataset.props || "");
}

function arrive(url, how, from) {
  const main = document.getElementById("main");
  const heading = main?.querySelector("h1") || main;
  const alert = main?.querySelector(".form-error:not(.hidden), .field-error:not(:empty), .notice.danger");
  if (how.pop) {
    const [x, y] = history.state?.scroll || [0, 0];
    window.scrollTo(x, y);
  } else if (url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1)))) {
    document.getElementById(decodeURIComponent(url.hash.slice(1))).scrollIntoView();
  } else if (url.pathname !== from) {
    window.scrollTo(0, 0);
  }
  // After a form post that came back to its page, the error (if any) is where the eye should go.
  const focus = (how.focus && document.querySelector(how.focus)) || (url.pathname === from && alert ? alert : heading);
  if (focus) {
    if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
    focus.focus({ preventScroll: how.pop || url.pathname === from });
  }
  announce(document.title);
  hydrateNewIslands(() => document.dispatchEvent(new CustomEvent("portcullis:navigated", { detail: { url: url.href } })));
}

function announce(words) {
  if (!announcer) {
    announcer = document.createElement("div");
    announcer.id = "route-announcer";
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    announcer.setAttribute("aria-atomic", "true");
  }
  if (!announcer.isConnected) document.body.append(announcer);
  announcer.textContent = words;
}

function rememberScroll() {
  history.replaceState({ ...(history.state || {}), scroll: [window.scrollX, window.scrollY] }, "");
}

// For the islands and security keys: this page again after a change it shows
// elsewhere (2FA turned on), focus on `focus` (a selector) when given.
window.portcullisVisit = (href, focus) => {
  if (!ready() || LEAVE_TO_BROWSER.test(new URL(href, location.href).pathname)) {
    location.reload();
    return;
  }
  start();
  rememberScroll();
  visit(new URL(href, location.href), { method: "GET" }, { replace: true, focus });
};

// ----- listening -----

window.addEventListener("click", (event) => {
  if (!ready()) return;
  const url = linkToFollow(event);
  if (!url) return;
  event.preventDefault();
  start();
  rememberScroll();
  visit(url, { method: "GET" }, {});
});

// On window, so the page's own handlers (islands, security keys) had their say first.
window.addEventListener("submit", (event) => {
  if (!ready()) return;
  const sent = formToSend(event);
  if (!sent) return;
  event.preventDefault();
  start();
  rememberScroll();
  visit(sent.url, sent.init, {});
});

window.addEventListener("popstate", () => {
  // Only a different page is fetched: a jump to an anchor on this one is the browser's.
  if (!started || location.pathname + location.search === shown) return;
  visit(new URL(location.href), { method: "GET" }, { pop: true });
});
