/* The kernel-free explorer: the lecture's learning curves from a precomputed grid of runs.
 *
 * Every <div class="course-explorer"> on the page (written by course.site_explorer.placeholder_html)
 * becomes controls (regularization, λ, dropout and its ratio) over two canvases drawn like the
 * notebook's TrainingExplorer: train and test accuracy on the left; on the right, on a log scale,
 * the data loss of both sets and the penalty apart; each the mean of the stored seeds with a ±1 sd
 * band.  The runs come from grid.json (index) and grid.bin (float16 curves), found next to this
 * script; course/site_explorer/grid.py describes the format.  No library, no network but those two
 * files.  window.SiteExplorer.instances lists the explorers (the benchmark and tests drive them).
 */
(function () {
  "use strict";

  var SCRIPT_URL = (document.currentScript && document.currentScript.src) || document.baseURI;
  var TRAIN = "#1f77b4", TEST = "#ff7f0e", PENALTY = "#2ca02c"; // course.plots / course.explorer
  var COLORS = { train_acc: TRAIN, test_acc: TEST, train_data_loss: TRAIN, test_loss: TEST, penalty: PENALTY };
  var PANELS = [["train_acc", "test_acc"], ["train_data_loss", "test_loss", "penalty"]];
  var LOSS_YLIM = [-3, 3];      // decades of the log loss axis, widened for a run that leaves them ...
  var LOSS_YLIM_MAX = [-5, 4];  // ... but never beyond these (as the notebook explorer)
  var FORMAT = 1;
  var loads = {};  // grid URL -> Promise of the grid, shared by every explorer on the page
  var instances = [];

  // -- the grid -----------------------------------------------------------------------------

  var HALF = (function () {  // float16 bit pattern -> value, for all 65,536 patterns
    var table = new Float32Array(65536);
    for (var h = 0; h < 65536; h++) {
      var sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
      if (exp === 0) table[h] = sign * frac * Math.pow(2, -24);
      else if (exp === 31) table[h] = frac ? NaN : sign * Infinity;
      else table[h] = sign * (1 + frac / 1024) * Math.pow(2, exp - 15);
    }
    return table;
  })();

  function fetchOk(url, kind) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("cannot load " + url + " (HTTP " + response.status + ")");
      return kind === "json" ? response.json() : response.arrayBuffer();
    });
  }

  function loadGrid() {
    var indexUrl = new URL("grid.json", SCRIPT_URL).href;
    if (!loads[indexUrl]) {
      loads[indexUrl] = fetchOk(indexUrl, "json").then(function (index) {
        if (index.format !== FORMAT || index.dtype !== "<f2") {
          throw new Error(indexUrl + ": format " + index.format + " / dtype " + index.dtype +
                          "; this script reads format " + FORMAT + " / <f2");
        }
        return fetchOk(new URL(index.file, indexUrl).href, "bin").then(function (buffer) {
          var shape = index.shape, count = shape[0] * shape[1] * shape[2] * shape[3];
          if (buffer.byteLength !== 2 * count) {
            throw new Error(index.file + ": " + buffer.byteLength + " bytes, the index says " + count +
                            " float16 values (rebuild: python -m course.site_explorer.build_grid)");
          }
          return makeGrid(index, new DataView(buffer));
        });
      });
    }
    return loads[indexUrl];
  }

  function pointKey(reg, lambdaIndex, useDropout, ratioIndex) {  // = course.site_explorer.grid.point_key
    var none = reg === "none" || lambdaIndex === 0;
    return (none ? "none" : reg) + "|" + (none ? 0 : lambdaIndex) + "|" + (useDropout ? ratioIndex : -1);
  }

  function makeGrid(index, view) {
    var byKey = {}, cache = {};
    index.points.forEach(function (p, i) {
      var li = index.lambdas.indexOf(p.weight_decay_lambda);
      var ri = p.use_dropout ? index.dropout_ratios.indexOf(p.dropout_ratio) : -1;
      byKey[pointKey(p.regularization, li, p.use_dropout, ri)] = i;
    });
    var nSeeds = index.shape[1], nCurves = index.shape[2], nEpochs = index.shape[3];
    return {
      index: index,
      has: function (key) { return key in byKey; },
      /* {curve: {mean, sd}} over the seeds of one point, the gap (train − test accuracy) included:
       * sd is the sample sd (ddof 1) of the finite values, NaN with fewer than two, as the notebook's. */
      summary: function (key) {
        if (cache[key]) return cache[key];
        var p = byKey[key], out = {}, names = index.curves.concat(["gap"]);
        var iTrain = index.curves.indexOf("train_acc"), iTest = index.curves.indexOf("test_acc");
        names.forEach(function (name) {
          out[name] = { mean: new Float64Array(nEpochs), sd: new Float64Array(nEpochs) };
        });
        var seedValues = new Float64Array(nSeeds);
        function value(s, c, e) {
          return HALF[view.getUint16(2 * (((p * nSeeds + s) * nCurves + c) * nEpochs + e), true)];
        }
        names.forEach(function (name, c) {
          for (var e = 0; e < nEpochs; e++) {
            var sum = 0, n = 0, s, v;
            for (s = 0; s < nSeeds; s++) {
              v = c < nCurves ? value(s, c, e) : value(s, iTrain, e) - value(s, iTest, e);
              seedValues[s] = v;
              if (isFinite(v)) { sum += v; n++; }
            }
            var m = n ? sum / n : NaN, dev = 0;
            for (s = 0; s < nSeeds; s++) if (isFinite(seedValues[s])) dev += (seedValues[s] - m) * (seedValues[s] - m);
            out[name].mean[e] = m;
            out[name].sd[e] = n > 1 ? Math.sqrt(dev / (n - 1)) : NaN;
          }
        });
        cache[key] = out;
        return out;
      },
    };
  }

  // -- one explorer ---------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function fmt(x, digits) { return isFinite(x) ? x.toFixed(digits) : "–"; }

  function Explorer(root, grid) {
    this.root = root;
    this.grid = grid;
    this.words = JSON.parse(root.getAttribute("data-messages") || "{}");
    var s = JSON.parse(root.getAttribute("data-settings") || "{}");
    var lambdas = grid.index.lambdas, ratios = grid.index.dropout_ratios;
    this.state = {
      regularization: ["none", "l2", "l1"].indexOf(s.regularization) >= 0 ? s.regularization : "none",
      lambdaIndex: Math.max(0, lambdas.indexOf(s.weight_decay_lambda)),
      useDropout: s.use_dropout === true,
      ratioIndex: Math.max(0, ratios.indexOf(s.dropout_ratio === undefined ? 0.15 : s.dropout_ratio)),
    };
    this.lossDecades = LOSS_YLIM.slice();
    this.draws = 0;
    this.build();
    this.update();
  }

  Explorer.prototype.w = function (key, fields) {
    var text = this.words[key] || key;
    Object.keys(fields || {}).forEach(function (k) { text = text.split("{" + k + "}").join(fields[k]); });
    return text;
  };

  Explorer.prototype.build = function () {
    var self = this, w = this.words, index = this.grid.index;
    var controls = el("div", { class: "course-explorer-controls" });
    // regularization: three buttons, as the notebook's toggle buttons
    var regRow = el("div", { class: "course-explorer-row", title: w["explorer.tip.regularization"] || "" },
                    [el("span", { class: "course-explorer-label", text: w["explorer.label.regularization"] })]);
    var group = el("span", { class: "course-explorer-choice", role: "group" });
    this.regButtons = {};
    ["none", "l2", "l1"].forEach(function (reg) {
      var b = el("button", { type: "button", "data-value": reg, text: w["explorer.choice." + reg] });
      b.addEventListener("click", function () { self.set({ regularization: reg }); });
      group.appendChild(b);
      self.regButtons[reg] = b;
    });
    regRow.appendChild(group);
    controls.appendChild(regRow);
    // λ and the dropout ratio: sliders over the grid's values (arrow keys step them)
    this.lambda = this.slider(controls, "weight_decay_lambda", "λ", index.lambdas, function (i) {
      var change = { lambdaIndex: i };
      if (i > 0 && self.state.regularization === "none") change.regularization = "l2"; // as the notebook
      self.set(change);
    });
    var dropRow = el("label", { class: "course-explorer-row", title: w["explorer.tip.use_dropout"] || "" },
                     [el("span", { class: "course-explorer-label", text: w["explorer.label.use_dropout"] })]);
    this.dropout = el("input", { type: "checkbox", "data-name": "use_dropout" });
    this.dropout.addEventListener("change", function () { self.set({ useDropout: self.dropout.checked }); });
    dropRow.appendChild(this.dropout);
    controls.appendChild(dropRow);
    this.ratio = this.slider(controls, "dropout_ratio", w["explorer.label.dropout_ratio"], index.dropout_ratios,
                             function (i) { self.set({ ratioIndex: i, useDropout: true }); });
    this.canvas = el("canvas", { class: "course-explorer-canvas", role: "img" });
    this.status = el("div", { class: "course-explorer-status", "aria-live": "polite" });
    this.root.textContent = "";
    this.root.appendChild(controls);
    this.root.appendChild(this.canvas);
    this.root.appendChild(this.status);
    if (window.ResizeObserver) {
      var width = 0;
      new ResizeObserver(function () {
        if (self.root.clientWidth !== width) { width = self.root.clientWidth; self.draw(); }
      }).observe(this.root);
    }
  };

  Explorer.prototype.slider = function (parent, name, label, values, onMove) {
    var row = el("label", { class: "course-explorer-row", title: this.words["explorer.tip." + name] || "" },
                 [el("span", { class: "course-explorer-label", text: label })]);
    var input = el("input", { type: "range", min: "0", max: String(values.length - 1), step: "1",
                              "data-name": name });
    var readout = el("output", { class: "course-explorer-readout" });
    input.addEventListener("input", function () { onMove(Number(input.value)); });
    row.appendChild(input);
    row.appendChild(readout);
    parent.appendChild(row);
    return { row: row, input: input, readout: readout, values: values };
  };

  Explorer.prototype.set = function (change) {
    Object.keys(change).forEach(function (k) { this.state[k] = change[k]; }, this);
    this.update();
  };

  Explorer.prototype.key = function () {
    var s = this.state;
    return pointKey(s.regularization, s.lambdaIndex, s.useDropout, s.ratioIndex);
  };

  /* Controls, curves and status line for the current state: one synchronous redraw. */
  Explorer.prototype.update = function () {
    var s = this.state, self = this;
    Object.keys(this.regButtons).forEach(function (reg) {
      self.regButtons[reg].setAttribute("aria-pressed", String(reg === s.regularization));
    });
    this.lambda.input.value = String(s.lambdaIndex);
    this.lambda.readout.textContent = String(this.lambda.values[s.lambdaIndex]);
    this.lambda.row.classList.toggle("course-explorer-idle", s.regularization === "none");
    this.dropout.checked = s.useDropout;
    this.ratio.input.value = String(s.ratioIndex);
    this.ratio.readout.textContent = String(this.ratio.values[s.ratioIndex]);
    this.ratio.row.classList.toggle("course-explorer-idle", !s.useDropout);
    this.current = this.grid.summary(this.key());
    this.widenLoss(this.current);
    this.draw();
    this.showStatus();
    this.root.setAttribute("data-key", this.key());
  };

  Explorer.prototype.widenLoss = function (runs) {  // whole decades; only ever wider, like the notebook's
    var lo = this.lossDecades[0], hi = this.lossDecades[1];
    ["train_data_loss", "test_loss", "penalty"].forEach(function (name) {
      runs[name].mean.forEach(function (v) {
        if (isFinite(v) && v > 0) {
          lo = Math.min(lo, Math.floor(Math.log10(v)));
          hi = Math.max(hi, Math.ceil(Math.log10(v)));
        }
      });
    });
    this.lossDecades = [Math.max(lo, LOSS_YLIM_MAX[0]), Math.min(hi, LOSS_YLIM_MAX[1])];
  };

  Explorer.prototype.showStatus = function () {
    var runs = this.current, n = this.grid.index.epochs, e = n - 1;
    function num(name, digits, scale, signed) {
      var m = runs[name].mean[e] * (scale || 1), sd = runs[name].sd[e] * (scale || 1);
      var text = (signed && m >= 0 ? "+" : "") + fmt(m, digits);
      return isFinite(sd) ? text + "±" + fmt(sd, digits) : text;
    }
    var line = this.w("explorer.status.epoch", { epoch: n, epochs: n }) + " · " + this.w("status.numbers", {
      train: num("train_acc", 3), test: num("test_acc", 3), gap: num("gap", 3, 1, true),
      norm: num("weight_norm", 1), sparsity: num("sparsity", 1, 100),
    }) + " · " + this.w("explorer.status.seeds", { n: this.grid.index.seeds.length });
    var s = this.state, notes = [];
    if (s.regularization === "none" && s.lambdaIndex > 0) notes.push(this.w("explorer.note.lambda_no_effect"));
    this.status.textContent = "";
    this.status.appendChild(el("div", { "data-state": "done", text: line }));
    if (notes.length) this.status.appendChild(el("div", { class: "course-explorer-note", text: notes.join("; ") }));
    this.canvas.setAttribute("aria-label", line);
    this.root.setAttribute("data-state", "ready");
  };

  // -- drawing ------------------------------------------------------------------------------

  Explorer.prototype.layout = function (width) {
    var stacked = width < 560;  // a phone: the two panels one above the other
    var panelW = stacked ? width : width / 2, panelH = stacked ? 230 : Math.max(230, Math.min(300, panelW * 0.72));
    var boxes = [0, 1].map(function (i) {
      var x0 = stacked ? 0 : i * panelW, y0 = stacked ? i * panelH : 0;
      var top = stacked ? 49 : 34;  // room for a legend of two rows on a phone
      return { x: x0 + 54, y: y0 + top, w: panelW - 54 - 12, h: panelH - top - 40 };
    });
    return { width: width, height: stacked ? 2 * panelH : panelH, boxes: boxes };
  };

  Explorer.prototype.draw = function () {
    if (!this.current) return;
    var width = Math.max(280, Math.min(this.root.clientWidth || 672, 900));
    var L = this.layout(width), ratio = window.devicePixelRatio || 1, canvas = this.canvas;
    if (canvas.width !== Math.round(L.width * ratio) || canvas.height !== Math.round(L.height * ratio)) {
      canvas.width = Math.round(L.width * ratio);
      canvas.height = Math.round(L.height * ratio);
      canvas.style.width = L.width + "px";
      canvas.style.height = L.height + "px";
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, L.width, L.height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, L.width, L.height);
    var epochs = this.grid.index.epochs, w = this.words, nSeeds = this.grid.index.seeds.length;
    var axes = [
      { box: L.boxes[0], y: [0, 1.02], log: false, label: w["explorer.axis.accuracy"],
        legend: [[TRAIN, w["explorer.legend.train"]], [TEST, w["explorer.legend.test"]],
                 ["band", this.w("explorer.legend.band", { n: nSeeds })]] },
      { box: L.boxes[1], y: this.lossDecades, log: true, label: w["explorer.axis.loss"],
        legend: [[TRAIN, w["explorer.legend.train_data_loss"]], [TEST, w["explorer.legend.test_data_loss"]],
                 [PENALTY, w["explorer.legend.penalty"]]] },
    ];
    var xOf = function (box, epoch) { return box.x + epoch / epochs * box.w; };
    for (var a = 0; a < 2; a++) {
      var ax = axes[a];
      this.drawAxes(ctx, ax, epochs, w["explorer.axis.epoch"]);
      var yOf = this.yScale(ax);
      ctx.save();
      ctx.beginPath();
      ctx.rect(ax.box.x, ax.box.y, ax.box.w, ax.box.h);
      ctx.clip();
      var names = PANELS[a];
      for (var k = 0; k < names.length; k++) this.band(ctx, ax, xOf, yOf, names[k]);
      for (k = 0; k < names.length; k++) this.line(ctx, ax, xOf, yOf, names[k]);
      ctx.restore();
    }
    this.draws += 1;
    canvas.setAttribute("data-draws", String(this.draws));
  };

  Explorer.prototype.yScale = function (ax) {
    var box = ax.box;
    if (ax.log) {
      var lo = ax.y[0], hi = ax.y[1];
      return function (v) { return v > 0 ? box.y + box.h - (Math.log10(v) - lo) / (hi - lo) * box.h : NaN; };
    }
    return function (v) { return box.y + box.h - (v - ax.y[0]) / (ax.y[1] - ax.y[0]) * box.h; };
  };

  Explorer.prototype.line = function (ctx, ax, xOf, yOf, name) {
    var mean = this.current[name].mean, down = false;
    ctx.beginPath();
    for (var e = 0; e < mean.length; e++) {
      var y = yOf(mean[e]);
      if (isFinite(y)) {
        y = Math.max(ax.box.y - ax.box.h, Math.min(ax.box.y + 2 * ax.box.h, y));
        if (down) ctx.lineTo(xOf(ax.box, e + 1), y); else ctx.moveTo(xOf(ax.box, e + 1), y);
      }
      down = isFinite(y);
    }
    ctx.strokeStyle = COLORS[name];
    ctx.lineWidth = name === "penalty" ? 1.2 : 1.6;
    ctx.lineJoin = "round";
    ctx.stroke();
  };

  Explorer.prototype.band = function (ctx, ax, xOf, yOf, name) {
    var mean = this.current[name].mean, sd = this.current[name].sd, upper = [], lower = [];
    var bottom = ax.box.y + ax.box.h;
    for (var e = 0; e < mean.length; e++) {
      if (!isFinite(mean[e]) || !isFinite(sd[e])) continue;
      var hi = yOf(mean[e] + sd[e]), lo = yOf(mean[e] - sd[e]);
      if (!isFinite(hi)) continue;
      if (!isFinite(lo)) lo = bottom;  // a band reaching to 0 on the log axis: down to the bottom edge
      upper.push([xOf(ax.box, e + 1), hi]);
      lower.push([xOf(ax.box, e + 1), lo]);
    }
    if (upper.length < 2) return;
    ctx.beginPath();
    upper.forEach(function (p, i) { if (i) ctx.lineTo(p[0], p[1]); else ctx.moveTo(p[0], p[1]); });
    for (var i = lower.length - 1; i >= 0; i--) ctx.lineTo(lower[i][0], lower[i][1]);
    ctx.closePath();
    ctx.globalAlpha = 0.18;
    ctx.fillStyle = COLORS[name];
    ctx.fill();
    ctx.globalAlpha = 1;
  };

  Explorer.prototype.drawAxes = function (ctx, ax, epochs, xLabel) {
    var box = ax.box, yOf = this.yScale(ax), font = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";
    ctx.font = font;
    ctx.lineWidth = 1;
    var ticksY = [];
    if (ax.log) {  // whole decades, written as numbers ("0.01", "1000"), as the notebook's axis
      for (var d = ax.y[0]; d <= ax.y[1]; d++) {
        ticksY.push([Math.pow(10, d), String(Number(Math.pow(10, d).toPrecision(1)))]);
      }
    } else {
      for (var t = 0; t <= 5; t++) ticksY.push([t / 5, (t / 5).toFixed(1)]);
    }
    ctx.strokeStyle = "rgba(176,176,176,0.45)";  // matplotlib's grid colour at alpha 0.3, on white
    ctx.fillStyle = "#222";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ticksY.forEach(function (tick) {
      var y = Math.round(yOf(tick[0])) + 0.5;
      ctx.beginPath(); ctx.moveTo(box.x, y); ctx.lineTo(box.x + box.w, y); ctx.stroke();
      ctx.fillText(tick[1], box.x - 5, y);
    });
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (var x = 0; x <= epochs; x += 50) {
      var px = Math.round(box.x + x / epochs * box.w) + 0.5;
      ctx.beginPath(); ctx.moveTo(px, box.y); ctx.lineTo(px, box.y + box.h); ctx.stroke();
      ctx.fillText(String(x), px, box.y + box.h + 4);
    }
    ctx.strokeStyle = "#222";
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w, box.h);
    ctx.fillText(xLabel, box.x + box.w / 2, box.y + box.h + 20);
    ctx.save();
    ctx.translate(box.x - 40, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(ax.label, 0, 0);
    ctx.restore();
    // the legend above the axes: one row, or two where the panel is narrow (rows packed greedily)
    var rows = [[]], used = 0;
    ax.legend.forEach(function (item) {
      var width = 20 + ctx.measureText(item[1]).width + 12;
      if (used && used + width - 12 > box.w) { rows.push([]); used = 0; }
      rows[rows.length - 1].push([item, box.x + used]);
      used += width;
    });
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    rows.forEach(function (row, r) {
      var ly = box.y - 12 - 15 * (rows.length - 1 - r);
      row.forEach(function (placed) {
        var item = placed[0], lx = placed[1];
        if (item[0] === "band") {
          ctx.globalAlpha = 0.3; ctx.fillStyle = "#888"; ctx.fillRect(lx, ly - 5, 16, 10); ctx.globalAlpha = 1;
        } else {
          ctx.strokeStyle = item[0]; ctx.lineWidth = 1.6;
          ctx.beginPath(); ctx.moveTo(lx, ly); ctx.lineTo(lx + 16, ly); ctx.stroke();
        }
        ctx.fillStyle = "#222";
        ctx.fillText(item[1], lx + 20, ly);
      });
    });
  };

  // -- start ----------------------------------------------------------------------------------

  function init() {
    var roots = document.querySelectorAll(".course-explorer:not([data-state])");
    if (!roots.length) return Promise.resolve([]);
    Array.prototype.forEach.call(roots, function (root) { root.setAttribute("data-state", "loading"); });
    return loadGrid().then(function (grid) {
      return Array.prototype.map.call(roots, function (root) {
        var explorer = new Explorer(root, grid);
        root.siteExplorer = explorer;
        instances.push(explorer);
        return explorer;
      });
    }).catch(function (error) {
      Array.prototype.forEach.call(roots, function (root) {
        root.setAttribute("data-state", "error");
        root.textContent = "";
        root.appendChild(el("div", { class: "course-explorer-error", text: String(error.message || error) }));
      });
      console.error("site explorer:", error);
    });
  }

  window.SiteExplorer = { init: init, instances: instances, ready: null };
  if (document.readyState === "loading") {
    window.SiteExplorer.ready = new Promise(function (resolve) {
      document.addEventListener("DOMContentLoaded", function () { resolve(init()); });
    });
  } else {
    window.SiteExplorer.ready = init();
  }
})();
