// The browser chat's script (bot/channels/web/): plain JavaScript, no framework, no build
// step, nothing from another site. The page gives it, in <meta> tags, where the chat lives
// and the anti-forgery token every POST carries.
//
// What the bot says comes from the server (the outbox) over server-sent events: the recent
// conversation first, then each reply as it is delivered. What the person sent is not kept
// by the server, so this tab keeps it (sessionStorage) to show it again after a reload, each
// line after the bot message that was the last one shown when it was sent.
(function () {
  "use strict";

  var root = meta("chat-root");
  var token = meta("csrf-token");
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var sendButton = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var STORE = "ocop-chat-mine";
  var KEEP = 200;
  var filePattern = new RegExp(
    "(https?://[^\\s<>\"']+|" + escapeRegExp(root) + "/files/[A-Za-z0-9._~-]+)", "g");

  var lastId = 0; // the last bot message shown
  var started = false; // a bot message was shown on this page
  var ready = false; // the opening of the conversation is on the page
  var greeted = false;
  var mine = load(); // what this person sent: {id, after, text}
  var shownMine = 0; // how many of them are on the page
  var source = null;

  function meta(name) {
    var tag = document.querySelector('meta[name="' + name + '"]');
    return tag ? tag.getAttribute("content") : "";
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function load() {
    try {
      var value = JSON.parse(window.sessionStorage.getItem(STORE) || "[]");
      return Array.isArray(value) ? value.slice(-KEEP) : [];
    } catch (error) {
      return [];
    }
  }

  function save() {
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify(mine.slice(-KEEP)));
    } catch (error) {
      // Storage may be off (a private window): the lines just do not survive a reload.
    }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function setStatus(text) {
    statusLine.textContent = text || "";
    statusLine.hidden = !text;
  }

  function fill(node, text) {
    // Text as text (never HTML); addresses become links.
    var at = 0;
    text.replace(filePattern, function (match, _group, offset) {
      var url = match.replace(/[.,;:!?)]+$/, "");
      node.appendChild(document.createTextNode(text.slice(at, offset)));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.rel = "noopener noreferrer";
      if (url.charAt(0) !== "/") {
        link.target = "_blank";
      }
      node.appendChild(link);
      at = offset + url.length;
      return match;
    });
    node.appendChild(document.createTextNode(text.slice(at)));
  }

  function bubble(who, text) {
    var item = document.createElement("div");
    item.className = "msg " + who;
    var body = document.createElement("div");
    body.className = "text";
    fill(body, text);
    item.appendChild(body);
    log.appendChild(item);
    return item;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function flushMine(before) {
    // The person's lines sent before bot message `before`; those older than the first
    // message on the page have nothing left to stand beside.
    while (shownMine < mine.length && mine[shownMine].after < before) {
      var entry = mine[shownMine];
      shownMine += 1;
      if (started) {
        bubble("me", entry.text);
      }
    }
  }

  function showBot(message) {
    if (message.id <= lastId) {
      return;
    }
    flushMine(message.id);
    started = true;
    var item = bubble("bot", message.text);
    if (message.buttons && message.buttons.length) {
      var box = document.createElement("div");
      box.className = "buttons";
      message.buttons.forEach(function (row) {
        var line = document.createElement("div");
        line.className = "row";
        row.forEach(function (choice) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "choice";
          button.textContent = choice.label;
          button.addEventListener("click", function () {
            press(choice, button);
          });
          line.appendChild(button);
        });
        box.appendChild(line);
      });
      item.appendChild(box);
    }
    lastId = message.id;
    scrollDown();
  }

  function remember(text) {
    var entry = { id: newId(), after: lastId, text: text };
    mine.push(entry);
    shownMine = mine.length;
    save();
    var item = bubble("me", text);
    scrollDown();
    return { entry: entry, item: item };
  }

  function forget(sent) {
    sent.item.classList.add("failed");
    mine = mine.filter(function (entry) {
      return entry.id !== sent.entry.id;
    });
    shownMine = mine.length;
    save();
  }

  function post(body, sent, retype) {
    body.id = sent.entry.id;
    return window.fetch(root + "/send", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) {
        setStatus(null);
        return;
      }
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        failed(data.error, sent, retype);
      });
    }).catch(function () {
      failed(null, sent, retype);
    });
  }

  function failed(reason, sent, retype) {
    setStatus(reason || statusLine.getAttribute("data-failed"));
    if (sent) {
      forget(sent);
    }
    if (retype && !input.value) {
      input.value = retype;
    }
  }

  function press(choice, button) {
    button.classList.add("pressed");
    post({ button: choice.payload }, remember(choice.label), null);
  }

  function greet() {
    // A conversation with nothing in it yet: the bot speaks first, as a messenger's
    // "Start" button makes it do.
    greeted = true;
    var body = { id: newId(), session: true };
    window.fetch(root + "/send", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    }).catch(function () {
      setStatus(statusLine.getAttribute("data-failed"));
    });
  }

  function connect() {
    var address = root + "/events" + (lastId ? "?after=" + lastId : "");
    source = new window.EventSource(address);
    source.addEventListener("message", function (event) {
      showBot(JSON.parse(event.data));
    });
    source.addEventListener("ready", function (event) {
      var opening = JSON.parse(event.data);
      flushMine(Infinity);
      scrollDown();
      setStatus(null);
      if (!ready) {
        ready = true;
        input.disabled = false;
        sendButton.disabled = false;
        document.body.setAttribute("data-ready", "true");
        input.focus();
      }
      if (!greeted && !opening.resumed && opening.count === 0 && lastId === 0) {
        greet();
      }
    });
    source.addEventListener("open", function () {
      setStatus(null);
    });
    source.addEventListener("error", function () {
      setStatus(statusLine.getAttribute("data-reconnecting"));
      if (source.readyState === window.EventSource.CLOSED) {
        // Refused (too many pages open, the server restarting): try again a bit later.
        source.close();
        window.setTimeout(connect, 5000);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      return;
    }
    input.value = "";
    post({ text: text }, remember(text), text);
    input.focus();
  });

  input.disabled = true;
  sendButton.disabled = true;
  connect();
})();
