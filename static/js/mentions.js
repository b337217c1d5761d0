/* Suggestions for @mentions in comment boxes.

   Progressive enhancement: without this script a comment box is a plain textarea, and an
   @handle typed into it is still a mention. With it, typing "@" and a letter or more asks the
   community's suggestions endpoint (the form's data-mentions attribute) and shows a list under
   the box: arrow keys move, Enter or Tab insert "@handle ", Escape closes; a click inserts too.

   ARIA (1.1 combobox pattern, as a textarea may carry no role of its own): a wrapper with
   role="combobox" holds the textarea (aria-autocomplete="list", aria-activedescendant) and the
   role="listbox"; a polite live region says how many suggestions there are. Translated strings
   come from this script element's data-strings. No framework, no inline script. */
(function () {
  "use strict";

  var script = document.currentScript;
  var strings = {};
  try {
    strings = JSON.parse((script && script.getAttribute("data-strings")) || "{}");
  } catch (error) {
    strings = {};
  }
  var DELAY_MS = 150;
  // "@" and what follows it up to the caret, not preceded by a word character or another "@"
  // (the server's rule for a mention; an e-mail address is not one).
  var TRIGGER = /(?:^|[^A-Za-z0-9_@])@([A-Za-z0-9_]{1,30})$/;
  var seen = 0;

  function enhance(textarea, url) {
    if (textarea.hasAttribute("data-mentions-ready")) return;
    textarea.setAttribute("data-mentions-ready", "");
    seen += 1;
    var listId = "mentions-list-" + seen;

    var box = document.createElement("div");
    box.className = "mentions";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-haspopup", "listbox");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", listId);
    var label = textarea.labels && textarea.labels[0];
    if (label) {
      if (!label.id) label.id = listId + "-label";
      box.setAttribute("aria-labelledby", label.id);
    } else if (textarea.getAttribute("aria-label")) {
      box.setAttribute("aria-label", textarea.getAttribute("aria-label"));
    }
    textarea.parentNode.insertBefore(box, textarea);
    box.appendChild(textarea);

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mentions-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", strings.label || "@");
    list.hidden = true;
    box.appendChild(list);

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.parentNode.insertBefore(status, box.nextSibling);

    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);

    var people = [];
    var active = -1;
    var start = -1; // where the "@" of the mention being typed is, in the textarea's value
    var query = "";
    var timer = null;
    var pending = null;
    var asked = 0;

    function context() {
      if (textarea.selectionStart !== textarea.selectionEnd) return null;
      var caret = textarea.selectionStart;
      var match = TRIGGER.exec(textarea.value.slice(0, caret));
      if (!match) return null;
      return { q: match[1], start: caret - match[1].length - 1 };
    }

    function close() {
      clearTimeout(timer);
      if (pending) pending.abort();
      pending = null;
      asked += 1; // an answer still on its way is for a question nobody asks any more
      people = [];
      active = -1;
      query = "";
      list.hidden = true;
      list.textContent = "";
      box.setAttribute("aria-expanded", "false");
      textarea.removeAttribute("aria-activedescendant");
    }

    function announce(text) {
      status.textContent = text || "";
    }

    function setActive(index) {
      active = index;
      var options = list.children;
      for (var i = 0; i < options.length; i += 1) {
        var on = i === index;
        options[i].setAttribute("aria-selected", on ? "true" : "false");
        options[i].classList.toggle("is-active", on);
      }
      if (index < 0) {
        textarea.removeAttribute("aria-activedescendant");
        return;
      }
      textarea.setAttribute("aria-activedescendant", options[index].id);
      if (options[index].scrollIntoView) options[index].scrollIntoView({ block: "nearest" });
    }

    function show(found) {
      list.textContent = "";
      people = found;
      if (!found.length) {
        close();
        announce(strings.none);
        return;
      }
      found.forEach(function (person, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.className = "mentions-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "mentions-name";
        name.textContent = person.display_name || "@" + person.handle;
        var handle = document.createElement("span");
        handle.className = "mentions-handle";
        handle.textContent = "@" + person.handle;
        option.appendChild(name);
        option.appendChild(document.createTextNode(" "));
        option.appendChild(handle);
        list.appendChild(option);
      });
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      setActive(0);
      announce((strings.counts || {})[String(found.length)] || String(found.length));
    }

    function ask(q) {
      if (pending) pending.abort();
      pending = typeof AbortController === "function" ? new AbortController() : null;
      asked += 1;
      var mine = asked;
      fetch(url + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (mine !== asked) return;
          pending = null;
          show(Array.isArray(data.results) ? data.results : []);
        })
        .catch(function () {
          // Offline, aborted or refused: the box stays a plain textarea.
        });
    }

    function update() {
      var found = context();
      if (!found) {
        close();
        return;
      }
      if (found.q === query && found.start === start) return;
      query = found.q;
      start = found.start;
      clearTimeout(timer);
      timer = setTimeout(function () {
        ask(found.q);
      }, DELAY_MS);
    }

    function choose(index) {
      var person = people[index];
      if (!person) return;
      var caret = textarea.selectionStart;
      var text = "@" + person.handle + " ";
      textarea.setRangeText(text, start, caret, "end");
      close();
      announce("");
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    textarea.addEventListener("input", update);
    textarea.addEventListener("click", update);
    textarea.addEventListener("keyup", function (event) {
      if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(event.key) >= 0) update();
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || event.isComposing) return;
      var count = people.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        setActive((active + 1) % count);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive((active - 1 + count) % count);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        if (event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
        announce("");
      }
    });
    textarea.addEventListener("blur", function () {
      // Choosing with the mouse keeps the focus here (mousedown below), so this is a real exit.
      close();
    });
    // Keep the focus in the textarea while the pointer chooses.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) choose(Array.prototype.indexOf.call(list.children, option));
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        var index = Array.prototype.indexOf.call(list.children, option);
        if (index !== active) setActive(index);
      }
    });
  }

  function scan(root) {
    var forms = root.querySelectorAll ? root.querySelectorAll("form[data-mentions]") : [];
    Array.prototype.forEach.call(forms, function (form) {
      var url = form.getAttribute("data-mentions");
      var boxes = form.querySelectorAll("textarea[name=body]");
      Array.prototype.forEach.call(boxes, function (textarea) {
        enhance(textarea, url);
      });
    });
  }

  function init() {
    scan(document);
    // Threads loaded later ("More comments") bring their own reply forms.
    document.body.addEventListener("htmx:load", function (event) {
      scan(event.target.parentNode || event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
