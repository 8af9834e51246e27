/*
 * CRM Assistant chat widget. One tag on any page:
 *
 *   <script src="https://crm.example.com/widget/static/widget.js" data-token="wgs.…" defer></script>
 *
 * Optional attributes: data-title, data-open="true". The page may also call
 * window.CRMAssistant.setSession({token, user}) later (the demo page does, after its user switcher).
 * No dependencies and no build step: the file is served as written. The panel lives in a shadow root so
 * the host page's styles and ours never mix.
 */
(function () {
  "use strict";
  if (window.CRMAssistant) return;

  var script = document.currentScript;
  var assetBase = new URL(".", script ? script.src : location.href);
  var apiBase = assetBase.origin;
  var dataset = script ? script.dataset : {};
  var STORE_PREFIX = "crm-assistant:v1:";
  var MAX_STORED_MESSAGES = 40;
  var MAX_STORED_ROWS = 500;
  var PAGE_ROWS = 100;
  var MONEY = /(amount|revenue|pipeline|value|deal_size|annual_revenue)/;

  var state = {
    token: dataset.token || null,
    user: null,
    conversationId: null,
    messages: [],
    busy: false
  };

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = value;
        else if (key === "className") node.className = value;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // ---------------------------------------------------------------- formatting
  function isNumeric(column) {
    return column.type === "number" || column.type === "integer";
  }

  function formatCell(value, column) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number" && column.format === "percent") return (value * 100).toFixed(1) + "%";
    if (typeof value === "number" && column.format === "money") {
      return "$" + value.toLocaleString("en-US", { maximumFractionDigits: 0 });
    }
    if (isNumeric(column) && typeof value === "number") {
      if (column.name !== "id" && !/_id$/.test(column.name) && MONEY.test(column.name)) {
        return "$" + value.toLocaleString("en-US", { maximumFractionDigits: 0 });
      }
      if (column.name === "id" || /_id$/.test(column.name)) return String(value);
      return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
    }
    if (column.type === "timestamp" && typeof value === "string") {
      return value.replace("T", " ").slice(0, 16);
    }
    if (typeof value === "boolean") return value ? "yes" : "no";
    return String(value);
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "en", { numeric: true, sensitivity: "base" });
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  // ---------------------------------------------------------------- CSV (UTF-8, ISO-8601 dates as sent)
  function csvCell(value) {
    if (value === null || value === undefined) return "";
    var text = typeof value === "object" ? JSON.stringify(value) : String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function toCSV(columns, rows) {
    var lines = [columns.map(function (c) { return csvCell(c.name); }).join(",")];
    rows.forEach(function (row) { lines.push(row.map(csvCell).join(",")); });
    // The byte-order mark makes spreadsheet programs read the file as UTF-8.
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  function downloadCSV(answer) {
    var blob = new Blob([toCSV(answer.columns, answer.rows)], { type: "text/csv;charset=utf-8" });
    var link = el("a", { href: URL.createObjectURL(blob), download: "crm-answer-" + new Date().toISOString().slice(0, 10) + ".csv" });
    shadow.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  }

  // ---------------------------------------------------------------- chart (dependency-free SVG)
  function renderChart(answer) {
    var hint = answer.chart;
    if (!hint || !answer.rows.length) return null;
    var xi = answer.columns.findIndex(function (c) { return c.name === hint.x; });
    var yi = answer.columns.findIndex(function (c) { return c.name === hint.y; });
    if (xi < 0 || yi < 0) return null;
    var yColumn = answer.columns[yi];
    var points = answer.rows.map(function (r) { return { x: r[xi], y: typeof r[yi] === "number" ? r[yi] : 0 }; });
    var title = hint.title ? hint.title.charAt(0).toUpperCase() + hint.title.slice(1) : "Chart";
    var figure = el("figure", { className: "chart" });
    var label = (hint.type === "line" ? "Line chart: " : "Bar chart: ") + title;
    var max = Math.max.apply(null, points.map(function (p) { return p.y; }).concat([0])) || 1;
    var node;
    if (hint.type === "bar") {
      var shown = points.slice(0, 15);
      var rowH = 24, labelW = 140, W = 380, H = shown.length * rowH + 8;
      node = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label, class: "chart-svg" }, [svg("title", {}, [label])]);
      shown.forEach(function (p, i) {
        var y = 4 + i * rowH, w = Math.max(1, (W - labelW - 70) * (p.y / max));
        node.appendChild(svg("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", class: "chart-label" }, [shorten(p.x === null ? "—" : String(p.x), 22)]));
        node.appendChild(svg("rect", { x: labelW, y: y + 3, width: w, height: rowH - 8, rx: 3, class: "chart-bar" }, [svg("title", {}, [p.x + ": " + formatCell(p.y, yColumn)])]));
        node.appendChild(svg("text", { x: labelW + w + 6, y: y + 15, class: "chart-value" }, [formatCell(p.y, yColumn)]));
      });
    } else {
      var Wl = 360, Hl = 180, left = 56, bottom = 24, top = 12, right = 12;
      var n = points.length, step = n > 1 ? (Wl - left - right) / (n - 1) : 0;
      var coords = points.map(function (p, i) {
        return [left + i * step, top + (Hl - top - bottom) * (1 - p.y / max)];
      });
      node = svg("svg", { viewBox: "0 0 " + Wl + " " + Hl, role: "img", "aria-label": label, class: "chart-svg" }, [svg("title", {}, [label])]);
      node.appendChild(svg("line", { x1: left, y1: Hl - bottom, x2: Wl - right, y2: Hl - bottom, class: "chart-axis" }));
      node.appendChild(svg("text", { x: left - 6, y: top + 4, "text-anchor": "end", class: "chart-label" }, [formatCell(max, yColumn)]));
      node.appendChild(svg("text", { x: left - 6, y: Hl - bottom, "text-anchor": "end", class: "chart-label" }, ["0"]));
      node.appendChild(svg("polyline", { points: coords.map(function (c) { return c.join(","); }).join(" "), class: "chart-line" }));
      coords.forEach(function (c, i) {
        node.appendChild(svg("circle", { cx: c[0], cy: c[1], r: 3, class: "chart-dot" }, [svg("title", {}, [points[i].x + ": " + formatCell(points[i].y, yColumn)])]));
      });
      node.appendChild(svg("text", { x: left, y: Hl - 6, class: "chart-label" }, [String(points[0].x)]));
      if (n > 1) node.appendChild(svg("text", { x: Wl - right, y: Hl - 6, "text-anchor": "end", class: "chart-label" }, [String(points[n - 1].x)]));
    }
    figure.appendChild(node);
    figure.appendChild(el("figcaption", { text: title + (hint.type === "bar" && points.length > 15 ? " (first 15 of " + points.length + ")" : "") }));
    return figure;
  }

  // ---------------------------------------------------------------- sortable table
  function renderTable(answer) {
    var sort = { index: -1, dir: 1 };
    var limit = PAGE_ROWS;
    var wrap = el("div", { className: "table-wrap" });
    var toolbar = el("div", { className: "table-tools" });
    var count = el("span", { className: "muted" });
    var csv = el("button", { type: "button", className: "link-button", onclick: function () { downloadCSV(answer); } }, ["Download CSV"]);
    toolbar.appendChild(count);
    toolbar.appendChild(csv);
    var scroller = el("div", { className: "table-scroll", tabindex: "0", role: "region", "aria-label": "Answer table" });
    var table = el("table");
    var thead = el("thead");
    var tbody = el("tbody");
    var more = el("button", { type: "button", className: "link-button more", hidden: true, onclick: function () { limit = Infinity; draw(); } });
    table.appendChild(el("caption", { className: "sr-only", text: "Answer rows; column headers sort the table" }));
    table.appendChild(thead);
    table.appendChild(tbody);
    scroller.appendChild(table);
    wrap.appendChild(toolbar);
    wrap.appendChild(scroller);
    wrap.appendChild(more);

    // an id beside its name ("owner_id" next to "owner_name") is for exports; the table shows the name
    var names = {};
    answer.columns.forEach(function (c) { names[c.name] = true; });
    var hidden = answer.columns.map(function (c) {
      return /_id$/.test(c.name) && names[c.name.slice(0, -3) + "_name"] === true;
    });

    function draw() {
      var rows = answer.rows.slice();
      if (sort.index >= 0) rows.sort(function (a, b) { return sort.dir * compare(a[sort.index], b[sort.index]); });
      var headRow = el("tr");
      answer.columns.forEach(function (column, i) {
        if (hidden[i]) return;
        var ariaSort = sort.index === i ? (sort.dir > 0 ? "ascending" : "descending") : "none";
        var arrow = sort.index === i ? (sort.dir > 0 ? " ▲" : " ▼") : "";
        var th = el("th", { scope: "col", "aria-sort": ariaSort, className: isNumeric(column) ? "num" : "" }, [
          el("button", { type: "button", className: "sort", onclick: function () {
            sort = { index: i, dir: sort.index === i ? -sort.dir : 1 };
            draw();
            var again = thead.querySelectorAll("button.sort")[hidden.slice(0, i).filter(function (h) { return !h; }).length];
            if (again) again.focus();
          } }, [column.label || column.name, el("span", { "aria-hidden": "true", text: arrow })])
        ]);
        headRow.appendChild(th);
      });
      thead.replaceChildren(headRow);
      var body = rows.slice(0, limit).map(function (row) {
        var cells = [];
        row.forEach(function (value, i) {
          if (hidden[i]) return;
          var column = answer.columns[i] || { name: "", type: "text" };
          cells.push(el("td", { className: isNumeric(column) ? "num" : "" }, [formatCell(value, column)]));
        });
        return el("tr", null, cells);
      });
      tbody.replaceChildren.apply(tbody, body);
      var total = answer.row_count || answer.rows.length;
      count.textContent = total === 1 ? "1 row" : total.toLocaleString("en-US") + " rows";
      more.hidden = rows.length <= limit;
      more.textContent = "Show all " + rows.length.toLocaleString("en-US") + " rows";
    }

    wrap.redraw = draw;
    draw();
    return wrap;
  }

  // ---------------------------------------------------------------- one assistant answer
  function renderAnswer(message, node) {
    var answer = message.answer;
    node.replaceChildren();
    node.removeAttribute("aria-busy");
    if (message.label) node.appendChild(el("p", { className: "muted small", text: message.label }));
    node.appendChild(el("p", { className: "summary" + (answer.status === "answered" ? "" : " notice"), text: answer.summary }));
    if (answer.explanation) {
      node.appendChild(el("p", { className: "how" }, [el("strong", { text: "How it was calculated: " }), answer.explanation]));
    }
    var chart = renderChart(answer);
    if (chart) node.appendChild(chart);
    var hasTable = answer.columns && answer.columns.length && answer.rows.length &&
      !(answer.rows.length === 1 && answer.columns.length === 1);
    if (hasTable) node.appendChild(renderTable(answer));
    if (message.rowsTrimmed) {
      node.appendChild(el("p", { className: "muted small", text: "Only the first " + answer.rows.length + " rows were kept in this browser; ask again for all of them." }));
    }
    if (answer.sql) node.appendChild(renderSQL(answer));
    if (answer.suggestions && answer.suggestions.length) {
      var chips = el("div", { className: "chips", role: "group", "aria-label": "Follow-up questions" });
      answer.suggestions.forEach(function (s) {
        chips.appendChild(el("button", { type: "button", className: "chip", onclick: function () { ask(s); } }, [s]));
      });
      node.appendChild(chips);
    }
  }

  function renderSQL(answer) {
    var details = el("details", { className: "sql" });
    var editor = el("textarea", { className: "sql-editor", spellcheck: "false", "aria-label": "SQL of this answer (editable)", rows: "6" });
    editor.value = answer.sql;
    var run = el("button", { type: "button", className: "secondary", onclick: function () { runSQL(editor.value); } }, ["Run edited SQL"]);
    details.appendChild(el("summary", { text: "Show SQL" }));
    details.appendChild(editor);
    details.appendChild(el("div", { className: "sql-tools" }, [
      el("span", { className: "muted small", text: "Edited SQL runs through the same checks and only sees your records." }), run]));
    return details;
  }

  // ---------------------------------------------------------------- transcript
  function storageKey() {
    return STORE_PREFIX + (state.user ? state.user.email : "anonymous");
  }

  function save() {
    try {
      var messages = state.messages.slice(-MAX_STORED_MESSAGES).map(function (m) {
        if (!m.answer || m.answer.rows.length <= MAX_STORED_ROWS) return m;
        var copy = JSON.parse(JSON.stringify(m));
        copy.answer.rows = copy.answer.rows.slice(0, MAX_STORED_ROWS);
        copy.rowsTrimmed = true;
        return copy;
      });
      localStorage.setItem(storageKey(), JSON.stringify({ conversationId: state.conversationId, messages: messages }));
    } catch (e) { /* storage full or disabled: the conversation still works until reload */ }
  }

  function load() {
    state.messages = [];
    state.conversationId = null;
    try {
      var saved = JSON.parse(localStorage.getItem(storageKey()) || "null");
      if (saved) { state.messages = saved.messages || []; state.conversationId = saved.conversationId || null; }
    } catch (e) { /* corrupt entry: start fresh */ }
    log.replaceChildren();
    if (!state.messages.length) greet();
    state.messages.forEach(function (m) { appendMessage(m); });
  }

  function greet() {
    var text = state.token
      ? "Ask about your contacts, accounts, deals and activities. Answers show only the records you may see."
      : "Sign in to use the assistant.";
    log.appendChild(el("div", { className: "msg assistant intro" }, [el("p", { text: text })]));
  }

  // Scroll only the conversation log: scrollIntoView would also scroll the panel and the host page.
  function reveal(node, where) {
    log.scrollTop = where === "start" ? node.offsetTop - 8 : log.scrollHeight;
  }

  function appendMessage(message) {
    var node = el("div", { className: "msg " + message.role });
    if (message.role === "user") node.appendChild(el("p", { text: message.text }));
    else if (message.answer) renderAnswer(message, node);
    else node.appendChild(el("p", { className: "notice", text: message.text || "" }));
    log.appendChild(node);
    reveal(node, message.role === "user" ? "end" : "start");
    return node;
  }

  // ---------------------------------------------------------------- talking to the server
  function headers() {
    return { "Content-Type": "application/json", "Authorization": "Bearer " + state.token };
  }

  function errorText(response, body) {
    if (body && body.error) {
      if (response.status === 401) return "Your session has ended; sign in again. (" + body.error.code + ")";
      return body.error.message + " (" + body.error.code + ")";
    }
    return "The assistant could not be reached (HTTP " + response.status + ").";
  }

  function setBusy(busy) {
    state.busy = busy;
    sendButton.disabled = busy;
    panel.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function ask(question) {
    question = (question || "").trim();
    if (!question || state.busy) return Promise.resolve();
    open();
    if (!state.token) { appendMessage({ role: "assistant", text: "Sign in to use the assistant." }); return Promise.resolve(); }
    var userMessage = { role: "user", text: question };
    state.messages.push(userMessage);
    appendMessage(userMessage);
    var message = { role: "assistant", answer: null };
    var node = el("div", { className: "msg assistant", "aria-busy": "true" }, [el("p", { className: "thinking", text: "Thinking…" })]);
    log.appendChild(node);
    reveal(node, "end");
    setBusy(true);
    var table = null;
    return fetch(apiBase + "/widget/ask", {
      method: "POST", headers: headers(),
      body: JSON.stringify({ question: question, conversation_id: state.conversationId })
    }).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return null; }).then(function (body) {
          message.text = errorText(response, body);
          node.replaceChildren(el("p", { className: "notice", text: message.text }));
          node.removeAttribute("aria-busy");
        });
      }
      return readEvents(response, function (event, data) {
        if (event === "answer") {
          message.answer = data;
          if (data.conversation_id) state.conversationId = data.conversation_id;
          renderAnswer(message, node);
          table = node.querySelector(".table-wrap");
          reveal(node, "start");
        } else if (event === "rows" && message.answer) {
          Array.prototype.push.apply(message.answer.rows, data.rows);
          if (table && table.redraw) table.redraw();
        } else if (event === "error") {
          message.text = data.message + " (" + data.code + ")";
          node.replaceChildren(el("p", { className: "notice", text: message.text }));
        }
      });
    }).catch(function () {
      message.text = "The assistant could not be reached; check your connection and try again.";
      node.replaceChildren(el("p", { className: "notice", text: message.text }));
    }).then(function () {
      node.removeAttribute("aria-busy");
      state.messages.push(message);
      save();
      setBusy(false);
      input.focus();
    });
  }

  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder("utf-8");
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
        var frames = buffer.split("\n\n");
        buffer = frames.pop();
        frames.forEach(function (frame) {
          var event = "message", data = "";
          frame.split("\n").forEach(function (line) {
            if (line.indexOf("event: ") === 0) event = line.slice(7);
            else if (line.indexOf("data: ") === 0) data += line.slice(6);
          });
          if (data) onEvent(event, JSON.parse(data));
        });
        return chunk.done ? null : pump();
      });
    }
    return pump();
  }

  function runSQL(sql) {
    if (!sql.trim() || state.busy) return Promise.resolve();
    setBusy(true);
    var userMessage = { role: "user", text: "Run edited SQL:\n" + shorten(sql.trim(), 300) };
    state.messages.push(userMessage);
    appendMessage(userMessage);
    return fetch(apiBase + "/widget/sql", {
      method: "POST", headers: headers(), body: JSON.stringify({ sql: sql, conversation_id: state.conversationId })
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        var message = response.ok
          ? { role: "assistant", answer: body, label: "Result of your edited SQL" }
          : { role: "assistant", text: errorText(response, body) };
        if (message.answer && message.answer.status !== "answered" && message.answer.error) {
          message.answer.summary = message.answer.summary + " (" + message.answer.error.code + ")";
        }
        state.messages.push(message);
        appendMessage(message);
      });
    }).catch(function () {
      appendMessage({ role: "assistant", text: "The assistant could not be reached; try again." });
    }).then(function () { save(); setBusy(false); });
  }

  // ---------------------------------------------------------------- the panel
  function chatIcon() {
    return svg("svg", { viewBox: "0 0 24 24", width: "20", height: "20", "aria-hidden": "true", focusable: "false" }, [
      svg("path", { d: "M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z", fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linejoin": "round" })]);
  }

  var host = el("div", { id: "crm-assistant-root" });
  var shadow = host.attachShadow({ mode: "open" });
  shadow.appendChild(el("link", { rel: "stylesheet", href: new URL("widget.css", assetBase).href }));
  var launcher = el("button", { type: "button", className: "launcher", "aria-expanded": "false", "aria-controls": "crm-panel", "aria-label": "Open the CRM assistant" }, [
    chatIcon(), el("span", { text: "Ask CRM" })]);
  var titleText = dataset.title || "CRM Assistant";
  var who = el("span", { className: "who" });
  var closeButton = el("button", { type: "button", className: "icon-button", "aria-label": "Close the assistant", onclick: function () { close(); } }, ["✕"]);
  var newButton = el("button", { type: "button", className: "link-button light", onclick: function () { reset(); } }, ["New chat"]);
  var log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
  var input = el("textarea", { id: "crm-q", rows: "1", placeholder: "Ask about your CRM…", autocomplete: "off", maxlength: "4000" });
  var sendButton = el("button", { type: "submit", className: "send" }, ["Send"]);
  var form = el("form", { className: "composer", onsubmit: function (e) { e.preventDefault(); var q = input.value; input.value = ""; ask(q); } }, [
    el("label", { for: "crm-q", className: "sr-only", text: "Your question" }), input, sendButton]);
  var panel = el("section", { id: "crm-panel", className: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "crm-title", hidden: true }, [
    el("header", null, [el("div", { className: "titles" }, [el("h2", { id: "crm-title", text: titleText }), who]), newButton, closeButton]),
    log, form]);
  shadow.appendChild(launcher);
  shadow.appendChild(panel);

  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { close(); launcher.focus(); } });
  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });

  function open() {
    if (!panel.hidden) return;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    host.classList.add("open");
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    host.classList.remove("open");
  }

  function reset() {
    state.messages = [];
    state.conversationId = null;
    save();
    load();
    input.focus();
  }

  function setSession(session) {
    state.token = session && session.token ? session.token : null;
    state.user = session && session.user ? session.user : null;
    who.textContent = state.user ? (state.user.full_name || state.user.email) + " · " + state.user.role : "";
    load();
  }

  function mount() {
    document.body.appendChild(host);
    if (state.token) {
      fetch(apiBase + "/widget/me", { headers: headers() }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (user) { setSession(user ? { token: state.token, user: user } : null); });
    } else {
      load();
    }
    if (dataset.open === "true") open();
  }

  window.CRMAssistant = { open: open, close: close, ask: ask, setSession: setSession, reset: reset, toCSV: toCSV };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
