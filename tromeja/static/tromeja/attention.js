// Attention: badge counts and notifications of new work, polled without reloading.
//
// The navigation (partials/nav.html) names the endpoint and the interval; the
// server renders every text in the user's language, so nothing here speaks
// any language. Polling pauses while the tab is hidden. Screen readers hear
// the badges' words when the counts change, not on every poll. Notifications
// are opt-in (the "notify me" button, remembered in localStorage); each item
// is notified once, also across page loads and tabs, with a short tone made
// with the Web Audio API.
(function () {
  "use strict";

  var STORE_ON = "tromeja.attention.notify";
  var STORE_SEEN = "tromeja.attention.notified";
  var KEEP = 200; // keys remembered

  var root = document.querySelector("[data-attention-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-attention-url");
  var seconds = parseFloat(root.getAttribute("data-attention-interval"));
  var interval = (isFinite(seconds) && seconds > 0 ? seconds : 30) * 1000;
  var live = document.querySelector("[data-attention-live]");
  var supported = "Notification" in window;
  var lastDigest = null;
  var timer = null;
  var busy = false;
  var stopped = false;
  var audio = null;

  function store(key, value) {
    try {
      if (value === undefined) {
        return window.localStorage.getItem(key);
      }
      window.localStorage.setItem(key, value);
    } catch (e) {
      return null;
    }
    return value;
  }

  function enabled() {
    return supported && store(STORE_ON) === "on" && window.Notification.permission === "granted";
  }

  function notified() {
    try {
      var keys = JSON.parse(store(STORE_SEEN) || "[]");
      return Array.isArray(keys) ? keys : [];
    } catch (e) {
      return [];
    }
  }

  function remember(keys) {
    var all = notified();
    keys.forEach(function (key) {
      if (all.indexOf(key) < 0) {
        all.push(key);
      }
    });
    store(STORE_SEEN, JSON.stringify(all.slice(-KEEP)));
  }

  // --- Sound -------------------------------------------------------------------
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return null;
    }
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") {
        audio.resume();
      }
    } catch (e) {
      audio = null;
    }
    return audio;
  }

  function tone() {
    var ctx = unlockAudio();
    if (!ctx) {
      return;
    }
    try {
      var start = ctx.currentTime + 0.02;
      [880, 1175].forEach(function (frequency, i) {
        var at = start + i * 0.22;
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(at);
        osc.stop(at + 0.2);
      });
    } catch (e) {
      // No sound is better than a broken page.
    }
  }

  // Browsers let a page make sound only after the user did something in it.
  function firstGesture() {
    document.removeEventListener("pointerdown", firstGesture, true);
    document.removeEventListener("keydown", firstGesture, true);
    if (enabled()) {
      unlockAudio();
    }
  }
  document.addEventListener("pointerdown", firstGesture, true);
  document.addEventListener("keydown", firstGesture, true);

  // --- Notifications -------------------------------------------------------------
  function notify(items) {
    var known = notified();
    var fresh = items.filter(function (item) {
      return known.indexOf(item.key) < 0;
    });
    if (!fresh.length) {
      return;
    }
    // Remembered even when notifications are off: switching them on later
    // does not bring a flood of old requests.
    remember(
      fresh.map(function (item) {
        return item.key;
      })
    );
    if (!enabled()) {
      return;
    }
    fresh.forEach(function (item) {
      try {
        var shown = new window.Notification(item.title, { body: item.body, tag: item.key });
        shown.onclick = function () {
          window.focus();
          window.location.assign(item.url);
          shown.close();
        };
      } catch (e) {
        // A browser that refuses page notifications (some mobile ones).
      }
    });
    tone();
  }

  function showToggles() {
    var on = enabled();
    var denied = supported && window.Notification.permission === "denied";
    document.querySelectorAll("[data-attention-toggle]").forEach(function (button) {
      button.hidden = !supported;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("active", on);
      button.textContent = button.getAttribute(
        on ? "data-label-on" : denied ? "data-label-denied" : "data-label-off"
      );
    });
  }

  function toggle() {
    if (store(STORE_ON) === "on") {
      store(STORE_ON, "off");
      showToggles();
      return;
    }
    unlockAudio();
    var asked =
      window.Notification.permission === "granted"
        ? "granted"
        : window.Notification.requestPermission();
    Promise.resolve(asked).then(function (permission) {
      store(STORE_ON, permission === "granted" ? "on" : "off");
      showToggles();
    });
  }

  if (supported) {
    document.querySelectorAll("[data-attention-toggle]").forEach(function (button) {
      button.addEventListener("click", toggle);
    });
  }
  showToggles();
  // Switched on or off in another tab.
  window.addEventListener("storage", function (event) {
    if (event.key === STORE_ON) {
      showToggles();
    }
  });

  // --- Badges ------------------------------------------------------------------
  function render(data) {
    var badges = data.badges || {};
    var words = [];
    var pending = false;
    document.querySelectorAll("[data-attention-badge]").forEach(function (badge) {
      var counts = badges[badge.getAttribute("data-attention-badge")];
      var number = badge.querySelector(".attention-count");
      var text = badge.querySelector(".attention-text");
      if (counts && counts.count > 0) {
        number.textContent = String(counts.count);
        text.textContent = " (" + counts.text + ")";
        badge.title = counts.text;
        badge.classList.toggle("attention-urgent", !!counts.urgent);
        badge.hidden = false;
        words.push(counts.text);
        pending = true;
      } else {
        number.textContent = "";
        text.textContent = "";
        badge.removeAttribute("title");
        badge.classList.remove("attention-urgent");
        badge.hidden = true;
      }
    });
    // On a narrow screen the navigation is folded away: its button shows a dot.
    var toggler = document.querySelector(".navbar-toggler");
    if (toggler) {
      toggler.classList.toggle("attention-pending", pending);
    }
    var digest = JSON.stringify(badges);
    if (lastDigest !== null && digest !== lastDigest) {
      if (live) {
        live.textContent = words.join("; ");
      }
      document.body.dispatchEvent(new CustomEvent("attention-changed", { bubbles: true }));
    }
    lastDigest = digest;
    notify(data.notify || []);
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!stopped) {
      timer = window.setTimeout(poll, interval);
    }
  }

  function poll() {
    if (document.hidden) {
      return; // resumed by visibilitychange
    }
    if (busy) {
      return;
    }
    busy = true;
    window
      .fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        // A poll is not the officer's activity: it must not keep an idle
        // session open.
        headers: { Accept: "application/json", "X-Tromeja-Poll": "1" },
      })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect") {
          stopped = true; // signed out: the next page load starts again
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          render(data);
        }
      })
      .catch(function () {
        // The node is unreachable for a moment: try again at the next poll.
      })
      .then(function () {
        busy = false;
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      window.clearTimeout(timer);
      poll();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
})();
