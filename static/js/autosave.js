// Autosave of the key-factor form (docs/quality.md R5), through assessments/views/autosave.py.
//
// - Debounced: a save goes about a second after the last input; one request at a time, later edits
//   go into the next request, with the lock_version the previous one returned (the hidden field is
//   kept current, so the Save button never meets a conflict of the user's own making).
// - Idempotent: each request has its own save_id. A request whose answer was lost (offline, a
//   timeout) is sent again unchanged before anything newer, so the server either applies it once or
//   recognises the replay; an out-of-date request gets 409 and changes nothing.
// - Ordered: each request carries the page's own id (made at load) and its number; the server applies
//   a number only after every lower one, so a replayed or late request never overwrites newer text.
// - Merged by field (where the form has a `loaded` field: fingerprints of the values the page is
//   based on, lib/merge.py): the server applies only what was changed here, and answers with the
//   fields someone else changed meanwhile; the page takes those in, unless they were typed in since the
//   request left (the next save then meets a conflict on that field, and the Save button shows it).
// - Unsaved fields stay in localStorage (per assessment and factor, with the lock_version they are
//   based on and the time) until a save is acknowledged, so going offline, a session timeout or a
//   closed tab loses nothing; a reload puts them back and saves them when nobody saved meanwhile,
//   otherwise the Save button shows its conflict screen with both versions.
// - The status (a role="status" region beside the Save button) says what happened, with the time.
// Without JavaScript the Save button works as before. Loaded with `defer`.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var statusBox = form.querySelector("[data-autosave-status]");
  var url = form.getAttribute("data-autosave");
  var storeKey = "icb-autosave:" + form.getAttribute("data-autosave-key");
  var versionInput = form.querySelector("input[name='lock_version']");
  var loadedInput = form.querySelector("input[name='loaded']");
  var presence = document.querySelector("[data-presence]");
  var tokenInput = form.querySelector("input[name='csrfmiddlewaretoken']");
  var DEBOUNCE_MS = 1000;
  var MAX_BACKOFF_MS = 60000;
  var SKIPPED = { csrfmiddlewaretoken: true, lock_version: true, loaded: true };
  var pageId = null;       // this open page's id, made on the first save
  var seq = 0;             // the number of its latest request

  var timer = null;        // the debounce, or a retry
  var inFlight = false;
  var dirty = false;       // edits not yet in any request
  var pending = null;      // the request sent and not yet answered for sure: {saveId, fields, version}
  var stopped = false;     // after a conflict or a refusal: only the Save button from here
  var signedOut = false;
  var backoff = 2000;
  var submitAfter = false; // the Save button was pressed while a request was in flight
  var tokenRefreshed = false;

  function fields() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (!SKIPPED[name]) {
        data[name] = value;
      }
    });
    return data;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function clock(when) {
    return new Date(when).toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
    });
  }

  function text(name, when) {
    return (statusBox.getAttribute("data-" + name) || "").replace("{time}", when ? clock(when) : "");
  }

  function say(words, link) {
    // Only a change is written, so a screen reader is not told "Saved 10:42" after every pause.
    var key = words + (link ? "|link" : "");
    if (statusBox.getAttribute("data-shown") === key) {
      return;
    }
    statusBox.setAttribute("data-shown", key);
    statusBox.textContent = words;
    if (link) {
      var next = window.location.pathname + window.location.search;
      var a = document.createElement("a");
      a.href = statusBox.getAttribute("data-sign-in-url") + "?next=" + encodeURIComponent(next);
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = text("sign-in");
      statusBox.appendChild(document.createTextNode(" "));
      statusBox.appendChild(a);
      statusBox.appendChild(document.createTextNode(". " + text("kept")));
    }
  }

  // ---- what is kept in this browser until the server has it

  function remember() {
    try {
      window.localStorage.setItem(
        storeKey,
        JSON.stringify({
          base: versionInput.value,
          loaded: loadedInput ? loadedInput.value : null,
          at: Date.now(),
          fields: fields(),
        })
      );
    } catch (e) {
      // Storage full or disabled: autosave still works while online.
    }
  }

  function forget() {
    try {
      window.localStorage.removeItem(storeKey);
    } catch (e) {
      // nothing kept
    }
  }

  function kept() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey) || "null");
    } catch (e) {
      return null;
    }
  }

  function putBack(values) {
    Object.keys(values).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && "value" in field) {
        field.value = values[name];
      }
    });
  }

  // ---- sending

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(send, ms);
  }

  function retryLater() {
    schedule(backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }

  function send() {
    window.clearTimeout(timer);
    if (inFlight || stopped) {
      return;
    }
    if (signedOut) {
      probe();
      return;
    }
    if (!pending) {
      if (!dirty) {
        return;
      }
      dirty = false;
      pageId = pageId || newId();
      seq += 1;
      pending = {
        saveId: newId(),
        seq: seq,
        fields: fields(),
        version: versionInput.value,
        loaded: loadedInput ? loadedInput.value : null,
      };
    }
    var body = new URLSearchParams();
    Object.keys(pending.fields).forEach(function (name) { body.append(name, pending.fields[name]); });
    body.append("lock_version", pending.version);
    body.append("save_id", pending.saveId);
    body.append("page", pageId);
    body.append("seq", String(pending.seq));
    if (pending.loaded !== null) {
      body.append("loaded", pending.loaded);
    }
    inFlight = true;
    window.fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": tokenInput.value },
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, redirected: response.redirected, data: data };
      });
    }).then(function (answer) {
      inFlight = false;
      handle(answer);
    }, function () {
      // No answer at all (offline, server unreachable): the same request goes again later.
      inFlight = false;
      say(text("retrying"));
      retryLater();
      afterRequest();
    });
  }

  function handle(answer) {
    var data = answer.data || {};
    if (answer.status === 200 && answer.data && !answer.redirected) {
      takeIn(data, pending);
      pending = null;
      backoff = 2000;
      tokenRefreshed = false;
      versionInput.value = String(data.lock_version);
      if (dirty) {
        remember(); // the edits made meanwhile are now based on the new version
        schedule(DEBOUNCE_MS);
      } else {
        forget();
      }
      // A save is activity: static/js/session.js restarts its idle warning from the server's count.
      if (typeof data.idle_seconds === "number") {
        document.dispatchEvent(new CustomEvent("session:activity", { detail: { idleSeconds: data.idle_seconds } }));
      }
      // A key factor carried over from the previous round is reviewed once saved (the server cleared it).
      document.querySelectorAll("[data-to-review]").forEach(function (mark) { mark.remove(); });
      say(text("saved", Date.now()));
    } else if (answer.status === 401 || answer.redirected) {
      signedOut = true;
      say(text("signed-out"), true);
      schedule(backoff);
    } else if (answer.status === 403 && !tokenRefreshed && !answer.data) {
      // Django's CSRF refusal (an HTML page): the token changed, e.g. after signing in again.
      tokenRefreshed = true;
      probe();
    } else if (answer.status === 400 && data.errors) {
      // Nothing was saved; the next edit tries again, the Save button shows the problems.
      pending = null;
      say(text("invalid"));
    } else if (data.reason === "conflict") {
      pending = null;
      stopped = true;
      say(text("conflict"));
    } else if (data.message && (answer.status === 409 || answer.status === 403 || answer.status === 404)) {
      // Refused for good (the assessment was submitted, access ended): the server says why.
      pending = null;
      stopped = true;
      say(data.message);
    } else {
      // 5xx, 429, a proxy's error page: the same request goes again later.
      say(text("retrying"));
      retryLater();
    }
    afterRequest();
  }

  // The server's merge: what the page is now based on, and what others changed that this page did not.
  function takeIn(data, sent) {
    if (data.others && presence) {
      showPresence(data.others);
    }
    if (!loadedInput || !data.loaded) {
      return;
    }
    var base = {};
    try {
      base = JSON.parse(loadedInput.value || "{}");
    } catch (e) {
      base = {};
    }
    var now = fields();
    var theirs = data.theirs || {};
    Object.keys(data.loaded).forEach(function (name) {
      var untouched = sent && sent.fields[name] === now[name];
      if (name in theirs) {
        if (!untouched) {
          return; // typed in since: keep the old base, so that saving it is a conflict, never an overwrite
        }
        var field = form.elements.namedItem(name);
        if (field && field.type === "checkbox") {
          field.checked = theirs[name] === true; // a box's value is whether it is ticked (a plan action's key factors)
        } else if (field && "value" in field) {
          field.value = theirs[name] === null ? "" : String(theirs[name]);
        }
      }
      base[name] = data.loaded[name];
    });
    loadedInput.value = JSON.stringify(base);
  }

  function showPresence(others) {
    if (!others.length) {
      presence.hidden = true;
      presence.textContent = "";
      return;
    }
    presence.textContent = presence.getAttribute("data-intro") + " ";
    others.forEach(function (other, index) {
      var name = document.createElement("bdi");
      name.textContent = other.name;
      presence.appendChild(name);
      var saved = " (" + presence.getAttribute("data-saved-at").replace("{time}", clock(other.at)) + ")";
      presence.appendChild(document.createTextNode(saved + (index < others.length - 1 ? ", " : ".")));
    });
    presence.hidden = false;
  }

  function afterRequest() {
    if (submitAfter && !inFlight) {
      submitAfter = false;
      stopped = true;
      form.submit();
    }
  }

  // While signed out (or after a CSRF refusal): asks for the state and a fresh token, then resends.
  function probe() {
    window.fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (response.status !== 200 || response.redirected) {
        throw new Error(String(response.status));
      }
      return response.json();
    }).then(function (data) {
      tokenInput.value = data.csrf_token; // the Save button needs it too
      signedOut = false;
      backoff = 2000;
      send();
    }).catch(function () {
      if (signedOut) {
        // Signing in happens in another tab: look again every 15 seconds at most (and on focus).
        say(text("signed-out"), true);
        schedule(Math.min(backoff, 15000));
        backoff = Math.min(backoff * 2, 15000);
      } else {
        say(text("retrying"));
        retryLater();
      }
    });
  }

  function edited() {
    if (stopped) {
      remember();
      return;
    }
    dirty = true;
    remember();
    if (!signedOut) {
      schedule(DEBOUNCE_MS);
    }
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", edited);

  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    if (inFlight) {
      // The lock_version changes when the request in flight is answered: submit after it.
      event.preventDefault();
      submitAfter = true;
      return;
    }
    stopped = true;
  });

  function retryNow() {
    if (!stopped && (pending || dirty || signedOut)) {
      backoff = 2000;
      send();
    }
  }

  window.addEventListener("online", retryNow);
  window.addEventListener("focus", retryNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      retryNow();
    }
  });

  // ---- on load: put back what was typed and not saved

  var found = kept();
  if (found && found.fields) {
    if (same(found.fields, fields())) {
      forget(); // saved since (perhaps with the Save button)
    } else if (String(found.base) === versionInput.value || (loadedInput && found.loaded)) {
      // Nobody saved since, or the server merges by field from what these edits were based on.
      if (loadedInput && found.loaded) {
        loadedInput.value = found.loaded;
      }
      putBack(found.fields);
      dirty = true;
      say(text("restored", found.at));
      send();
    } else {
      // Someone saved after these edits were made: the Save button's conflict screen shows both.
      putBack(found.fields);
      versionInput.value = String(found.base);
      stopped = true;
      say(text("restored-stale", found.at));
    }
  }
})();
