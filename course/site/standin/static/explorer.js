// Stand-in kernel-free explorer (course/site/standin): made-up curves until the real grid is merged.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(".", script ? script.src : document.baseURI);
  var TEXT = {
    en: {lambda: "λ (weight_decay_lambda)", dropout: "dropout_ratio", train: "train", test: "test",
         note: "Stand-in drawing, not training results: the precomputed grid replaces it."},
    ja: {lambda: "λ（weight_decay_lambda）", dropout: "dropout_ratio", train: "訓練", test: "テスト",
         note: "仮の描画です（学習結果ではありません）。事前計算したグリッドに置き換わります。"}
  };

  function nearest(options, value) {
    var best = 0;
    for (var i = 0; i < options.length; i++) {
      if (Math.abs(options[i] - value) < Math.abs(options[best] - value)) best = i;
    }
    return best;
  }

  function curve(epoch, epochs, lambda, dropout, isTest) {
    var t = epoch / epochs;
    var ceiling = isTest ? 0.75 + 0.1 * Math.min(1, 5 * lambda + dropout) : 1 - 0.3 * Math.min(1, lambda + dropout);
    return 0.1 + (ceiling - 0.1) * (1 - Math.exp(-6 * t));
  }

  function draw(canvas, grid, lambda, dropout, text) {
    var ctx = canvas.getContext("2d");
    var w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#999";
    ctx.strokeRect(30, 10, w - 40, h - 30);
    [["#1f77b4", false, text.train], ["#ff7f0e", true, text.test]].forEach(function (spec, k) {
      ctx.strokeStyle = spec[0];
      ctx.beginPath();
      for (var e = 0; e <= grid.epochs; e++) {
        var x = 30 + (w - 40) * e / grid.epochs;
        var y = 10 + (h - 30) * (1 - curve(e, grid.epochs, lambda, dropout, spec[1]));
        if (e === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      ctx.stroke();
      ctx.fillStyle = spec[0];
      ctx.fillText(spec[2], w - 80, 30 + 15 * k);
    });
  }

  function slider(root, label, options, index, onChange) {
    var wrap = document.createElement("label");
    wrap.textContent = label + " ";
    var input = document.createElement("input");
    input.type = "range";
    input.min = 0;
    input.max = options.length - 1;
    input.step = 1;
    input.value = index;
    input.setAttribute("aria-label", label);
    var shown = document.createElement("output");
    shown.textContent = options[index];
    input.addEventListener("input", function () {
      shown.textContent = options[+input.value];
      onChange();
    });
    wrap.appendChild(input);
    wrap.appendChild(shown);
    root.appendChild(wrap);
    return input;
  }

  function init(root, grid) {
    var text = TEXT[root.getAttribute("data-lang")] || TEXT.en;
    var settings = JSON.parse(root.getAttribute("data-settings") || "{}");
    var lam = slider(root, text.lambda, grid.lambdas, nearest(grid.lambdas, settings.weight_decay_lambda || 0), redraw);
    var drop = slider(root, text.dropout, grid.dropout_ratios,
                      nearest(grid.dropout_ratios, settings.use_dropout ? settings.dropout_ratio || 0 : 0), redraw);
    var canvas = document.createElement("canvas");
    canvas.width = 480;
    canvas.height = 240;
    root.appendChild(canvas);
    var note = document.createElement("p");
    note.className = "standin-note";
    note.textContent = text.note;
    root.appendChild(note);
    function redraw() {
      draw(canvas, grid, grid.lambdas[+lam.value], grid.dropout_ratios[+drop.value], text);
    }
    redraw();
  }

  function start() {
    var roots = document.querySelectorAll(".course-explorer");
    if (!roots.length) return;
    fetch(new URL("standin-grid.json", base)).then(function (r) {
      if (!r.ok) throw new Error("standin-grid.json: HTTP " + r.status);
      return r.json();
    }).then(function (grid) {
      roots.forEach(function (root) { init(root, grid); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
