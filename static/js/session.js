// Warns two minutes before the idle timeout signs the user out (docs/quality.md S3, WCAG 2.2.1), with a
// "Stay signed in" button that POSTs (with the CSRF token of its form) to the keep-alive endpoint.
// Loaded with `defer`, only on signed-in pages. data-idle-seconds is the time left as the server counts
// it when the page was made (the server notes activity at most once a minute, so it can be a little
// less than the full idle time).
(function () {
  "use strict";
  var box = document.querySelector("[data-session-timeout]");
  if (!box) {
    return;
  }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) * 1000;
  var warning = parseInt(box.getAttribute("data-warning-seconds"), 10) * 1000;
  var message = box.querySelector("[data-session-message]");
  var form = box.querySelector("[data-session-keepalive]");
  var warnTimer = null;
  var endTimer = null;

  function text(name) {
    return box.querySelector("template[data-" + name + "-text]").content.textContent.trim();
  }

  function say(words) {
    // Emptied first so that the same words are announced again.
    message.textContent = "";
    window.setTimeout(function () { message.textContent = words; }, 50);
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(function () {
      form.hidden = false;
      box.classList.add("session-timeout-warning");
      say(text("warning"));
    }, Math.max(0, idle - warning));
    endTimer = window.setTimeout(function () {
      form.hidden = true;
      say(text("ended"));
      // Reloading lets the server end the session and show the login page with its message.
      window.setTimeout(function () { window.location.reload(); }, 1500);
    }, idle + 1000);
  }

  // Requests a script makes (an autosave) are activity too: the server counted them, and says how long the
  // session now has left; a warning already shown goes away.
  document.addEventListener("session:activity", function (event) {
    if (!event.detail || typeof event.detail.idleSeconds !== "number") {
      return;
    }
    idle = event.detail.idleSeconds * 1000;
    if (!form.hidden) {
      form.hidden = true;
      box.classList.remove("session-timeout-warning");
      say(text("renewed"));
    }
    schedule();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (response.status === 503) {
        // The database is down for a moment (lib/errors.py): the session is not over, and a reload would
        // show only the error page. The server's words say so; the button stays for another try.
        return response.json().then(function (data) {
          say(data.message);
          return null;
        });
      }
      if (!response.ok || response.redirected) {
        throw new Error("signed out");
      }
      return response.json();
    }).then(function (data) {
      if (data === null) {
        return;
      }
      // The server's count of the seconds left, from now (the full idle time after a keep-alive).
      if (data && typeof data.idle_seconds === "number") {
        idle = data.idle_seconds * 1000;
      }
      form.hidden = true;
      box.classList.remove("session-timeout-warning");
      say(text("renewed"));
      schedule();
    }).catch(function () {
      window.location.reload();
    });
  });

  schedule();
})();
