// kpireport: the HTML pack's filters, sorting and KPI detail. No dependency and no request:
// the page's Content-Security-Policy allows this script by its hash and nothing else. Every
// figure comes formatted from the embedded JSON; workbook text is only ever set as textContent.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("kpi-data").textContent);
  const L = data.labels;
  const SVG = "http://www.w3.org/2000/svg";
  const fill = (template, fields) => template.replace(/\{(\w+)\}/g, (_, key) => fields[key]);
  const fold = (text) => text.normalize("NFKC").toLocaleLowerCase();
  const made = (node, attrs, text) => {
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (text) node.textContent = text;
    return node;
  };
  const el = (tag, attrs = {}, text = "") => made(document.createElement(tag), attrs, text);
  const svg = (tag, attrs = {}, text = "") => made(document.createElementNS(SVG, tag), attrs, text);

  // Filters: status, department and a search over KPI names, on the department tables, the
  // quarterly review and the trend charts. A department or trends page left with no KPI is
  // hidden too; print shows everything.
  const form = document.getElementById("explore");
  const rows = [...document.querySelectorAll("tbody[data-kpi], .trend-card[data-kpi]")];
  // The count is of KPIs: each has one row in the department tables (the quarterly review
  // filters its rows alike but repeats them).
  const tableRows = rows.filter((row) => row.matches("section.department tbody"));
  const count = form.querySelector(".explore-count");
  const apply = () => {
    const statuses = new Set([...form.querySelectorAll("input[name=status]:checked")].map((box) => box.value));
    const department = form.elements.department.value;
    const query = fold(form.elements.q.value.trim());
    for (const row of rows) {
      const name = fold(row.querySelector(".kpi-name, .kpi-open").textContent);
      const shown = statuses.has(row.dataset.status) && (!department || row.dataset.dept === department) &&
        (!query || name.includes(query));
      row.classList.toggle("filtered-out", !shown);
    }
    for (const section of document.querySelectorAll("section.department, section.trends")) {
      const any = section.querySelector("[data-kpi]:not(.filtered-out)");
      section.classList.toggle("filtered-out", !any);
    }
    const shown = tableRows.filter((row) => !row.classList.contains("filtered-out")).length;
    count.textContent = fill(L.shown_count, { shown, total: tableRows.length });
  };
  form.addEventListener("input", apply);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => setTimeout(apply));
  form.hidden = false;
  apply();

  // Sorting: a header's button sorts its table's KPIs (each KPI is one tbody, its comments
  // included) by the cell's data-sort value, or its text; a KPI without a value goes last.
  const sortKey = (row, column) => {
    const cell = row.rows[0].cells[column];
    const raw = cell.dataset.sort;
    if (raw === "") return null;
    return raw === undefined ? cell.textContent.trim() : Number(raw);
  };
  for (const button of document.querySelectorAll("th > button.sort")) {
    button.addEventListener("click", () => {
      const header = button.parentElement;
      const table = header.closest("table");
      const column = header.cellIndex;
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      for (const other of table.querySelectorAll("th[aria-sort]")) other.setAttribute("aria-sort", "none");
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const keyed = [...table.tBodies].map((row) => [sortKey(row, column), row]);
      keyed.sort(([a], [b]) => {
        if (a === null || b === null) return (a === null) - (b === null);
        const order = typeof a === "number" ? a - b : a.localeCompare(b, document.documentElement.lang);
        return ascending ? order : -order;
      });
      for (const [, row] of keyed) table.append(row);
    });
  }

  // The KPI detail: a modal dialog (Escape closes it, focus returns to where it was).
  const dialog = document.getElementById("kpi-detail");
  const part = (name) => dialog.querySelector(`.detail-${name}`);
  let opener = null;
  dialog.querySelector(".detail-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => opener && opener.focus());

  const chart = (kpi) => {
    // Drawn at the width it is shown at, so its text stays readable on a phone.
    const width = Math.max(300, Math.round(part("plot").clientWidth || 640));
    const height = Math.round(Math.min(260, Math.max(200, width * 0.4)));
    const left = 56, right = 8, top = 12, bottom = 28;
    const ticks = kpi.axis.map(([value]) => value);
    const low = ticks.length ? ticks[0] : 0, high = ticks.length ? ticks[ticks.length - 1] : 1;
    const step = (width - left - right) / kpi.months.length;
    const x = (index) => left + (index + 0.5) * step;
    const y = (value) => top + (height - top - bottom) * (1 - (value - low) / ((high - low) || 1));
    const drawing = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "group", class: "detail-svg",
      "aria-label": fill(L.detail_chart, { name: kpi.name }) });
    for (const [value, label] of kpi.axis) {
      drawing.append(svg("path", { d: `M${left} ${y(value)}H${width - right}`, class: "grid" }));
      drawing.append(svg("text", { x: left - 6, y: y(value) + 4, "text-anchor": "end", class: "tick" }, label));
    }
    kpi.months.forEach((month, index) => {
      drawing.append(svg("text", { x: x(index), y: height - 8, "text-anchor": "middle", class: "tick" }, month.short));
    });
    const line = (points, css) => {
      let d = "", pen = false;
      for (const point of points) {
        if (point === null) { pen = false; continue; }
        d += `${pen ? "L" : "M"}${point[0].toFixed(1)} ${point[1].toFixed(1)}`;
        pen = true;
      }
      if (d) drawing.append(svg("path", { d, class: `line ${css}` }));
    };
    const points = (series) => kpi.months.map((month, index) => {
      const value = month.values[series];
      return value === null ? null : [x(index), y(value)];
    });
    const actual = points(1);
    const last = actual.map((point) => point !== null).lastIndexOf(true);
    const outlook = points(3).map((point, index) => (index < last ? null : index === last ? actual[last] : point));
    line(points(2), "prior");
    line(points(0), "target");
    if (last >= 0 && outlook.slice(last + 1).some((point) => point !== null)) line(outlook, "outlook");
    line(actual, "actual");
    for (const point of actual) if (point) drawing.append(svg("circle", { cx: point[0], cy: point[1], r: 3, class: "dot-actual" }));
    // Each month is a focusable column: its values show on hover and on keyboard focus, and a
    // screen reader reads them as the column's name.
    const tip = part("tip");
    const guide = svg("path", { class: "guide", d: "" });
    drawing.append(guide);
    kpi.months.forEach((month, index) => {
      const values = [[L.legend_actual, month.actual], [L.legend_target, month.target],
        [L.legend_prior, month.prior], [L.legend_outlook, month.outlook]];
      const said = `${month.month}: ${values.map(([label, value]) => `${label} ${value}`).join(", ")}`;
      const column = svg("rect", { x: left + index * step, y: top, width: step, height: height - top - bottom,
        class: "hit", tabindex: 0, role: "img", "aria-label": said });
      const show = () => {
        guide.setAttribute("d", `M${x(index)} ${top}V${height - bottom}`);
        tip.replaceChildren(el("strong", {}, month.month), ...values.map(([label, value]) => el("span", {}, `${label} ${value}`)));
        // Beside the month, kept inside the chart at either end.
        const at = x(index) / width;
        tip.style.left = `${at * 100}%`;
        tip.style.transform = `translateX(${at < 0.3 ? 0 : at > 0.7 ? -100 : -50}%)`;
        tip.hidden = false;
      };
      const hide = () => { tip.hidden = true; guide.setAttribute("d", ""); };
      column.addEventListener("mouseenter", show);
      column.addEventListener("focus", show);
      column.addEventListener("mouseleave", hide);
      column.addEventListener("blur", hide);
      drawing.append(column);
    });
    return drawing;
  };

  // Each month comes as a row of the fields data.month_fields names.
  const asMonth = (row) => Object.fromEntries(data.month_fields.map((name, index) => [name, row[index]]));
  const open = (id, from) => {
    const found = data.kpis[id];
    if (!found) return;
    const kpi = { ...found, months: found.months.map(asMonth) };
    opener = from;
    part("name").textContent = kpi.name;
    part("sub").textContent = [kpi.id, kpi.department, kpi.owner].filter(Boolean).join(" · ");
    part("status").textContent = kpi.status;
    part("status").className = `detail-status chip ${kpi.status_css}`;
    part("summary").textContent = kpi.summary;
    part("tip").hidden = true;
    if (!dialog.open) dialog.showModal();
    part("plot").replaceChildren(chart(kpi));
    part("months").replaceChildren(...kpi.months.map((month) => {
      const row = el("tr");
      row.append(el("th", { scope: "row" }, month.month));
      for (const value of [month.target, month.actual, month.attainment, month.prior, month.outlook]) {
        row.append(el("td", { class: "num" }, value));
      }
      return row;
    }));
    const comments = kpi.comments.map((c) => {
      const item = el("li");
      item.append(el("strong", {}, c.month), ` ${c.comment}`);
      if (c.action) item.append(el("span", { class: "comment-label" }, L.action), ` ${c.action}`);
      if (c.owner) item.append(el("span", { class: "sub-inline" }, ` (${c.owner})`));
      return item;
    });
    part("comments").replaceChildren(...(comments.length ? comments : [el("li", { class: "muted" }, L.no_comments)]));
    const actions = kpi.actions.map((a) => {
      const item = el("li");
      item.append(el("span", { class: `chip ${a.css}` }, a.state), ` ${a.action}`);
      item.append(el("span", { class: "sub-inline" }, ` — ${a.who}`));
      return item;
    });
    part("actions").replaceChildren(...(actions.length ? actions : [el("li", { class: "muted" }, L.no_open_actions)]));
    const findings = kpi.findings.map((f) => {
      const item = el("li");
      item.append(el("span", { class: `code-tag sev-${f.severity}` }, f.code), ` ${f.message}`);
      if (f.suggestion) item.append(el("span", { class: "sub" }, `${L.suggestion}: ${f.suggestion}`));
      return item;
    });
    part("findings").replaceChildren(...(findings.length ? findings : [el("li", { class: "muted" }, L.no_kpi_findings)]));
    // The KPI's comment: each figure a link to the table cell it comes from.
    const said = kpi.commentary.map(([text, href]) => (href ? el("a", { class: "figure", href }, text) : text));
    if (kpi.commentary_note) said.push(" ", kpi.commentary_note);
    if (kpi.drafted) said.push(" ", el("span", { class: "drafted" }, L.drafted));
    part("commentary").replaceChildren(...said);
    part("commentary-block").hidden = !said.length;
    part("close").focus();
  };

  document.addEventListener("click", (event) => {
    // A figure of the detail's comment leads to its cell in the pack: the dialog closes first.
    if (event.target.closest("dialog a.figure")) dialog.close();
    const target = event.target.closest("[data-open]");
    if (target) {
      event.preventDefault();
      open(target.dataset.open, target);
    }
  });
  // The tree and the bridge are drawings: their KPI names become keyboard-usable links to
  // the detail, and the drawing a group (not a single image) so those links are reachable.
  for (const label of document.querySelectorAll("svg text[data-kpi]")) {
    if (!data.kpis[label.dataset.kpi]) continue;
    label.closest("svg").setAttribute("role", "group");
    label.setAttribute("data-open", label.dataset.kpi);
    label.setAttribute("role", "button");
    label.setAttribute("tabindex", "0");
    label.setAttribute("aria-haspopup", "dialog");
    label.setAttribute("aria-label", data.kpis[label.dataset.kpi].name); // the drawing may shorten it
    label.classList.add("kpi-link");
    label.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        open(label.dataset.kpi, label);
      }
    });
  }
})();
