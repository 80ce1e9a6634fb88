"""The explorer's panel: its controls, its layout, the status line and the pins' legend, as widgets and HTML.

Everything here turns settings and runs into what the learner sees, in the
current language (:func:`course.i18n.t`); nothing here trains::

    from course.explorer.panel import make_control, status_html
    slider = make_control("weight_decay_lambda", 0.1, regularization="l2")   # labelled "λ (weight decay)"
    html_text, state = status_html(run, pins)    # state: training / done / error

The CSS classes set by :func:`layout` (``training-explorer``, ``explorer-status``,
``explorer-live``, …) and the status line's ``data-state`` are what the browser
test and benchmark find the parts by, in any language.
"""

from __future__ import annotations

import html
import math
from typing import Any, Sequence

import ipywidgets as widgets

from course.i18n import t

from .drawing import PIN_DASHES, TEST_COLOR, TRAIN_COLOR, pin_style
from .runs import MAX_PINS, Pin, Run, aggregate, at_epoch
from .settings import SETTINGS, Refused, choice_labels, choices, label, notes, optimizer_labels

_WIDE = "380px"
_LABEL_WIDTH = "150px"
_MONO = "font-family:monospace;font-size:12px;line-height:1.5"


# -- controls ---------------------------------------------------------------------------


def displayed(name: str, control: widgets.ValueWidget) -> widgets.Widget:
    """The control as shown: buttons get their label on the left, like the sliders."""
    if SETTINGS[name][0] not in ("choice", "switch"):
        return control
    text = widgets.Label(label(name), layout=widgets.Layout(width=_LABEL_WIDTH, justify_content="flex-end",
                                                            padding="0 8px 0 0"))
    text.tooltip = t(f"explorer.tip.{name}")
    return widgets.HBox([text, control], layout=widgets.Layout(width=_WIDE))


def make_control(name: str, value: Any, regularization: str | None = None) -> widgets.ValueWidget:
    """The widget for setting ``name`` at ``value`` (the λ slider labelled for ``regularization``)."""
    kind, spec = SETTINGS[name]
    tip = t(f"explorer.tip.{name}")
    common = dict(description=label(name, regularization), tooltip=tip, style={"description_width": _LABEL_WIDTH},
                  layout=widgets.Layout(width=_WIDE))
    if kind in ("choice", "switch"):
        # no description: JupyterLab puts a ToggleButtons' own label above the buttons (see displayed)
        options, tooltips = choice_labels(name)
        width = "60px" if name == "regularization" else "105px"
        control = widgets.ToggleButtons(options=options, tooltips=tooltips, style={"button_width": width},
                                        tooltip=tip)
        control.value = value
        return control
    if kind == "menu":
        return widgets.Dropdown(options=optimizer_labels() if name == "optimizer" else list(choices(name)),
                                value=value, **common)
    if kind == "bool":
        return widgets.Checkbox(value=value, indent=True, **common)
    if kind == "options":
        slider = widgets.SelectionSlider(options=[(f"{o:g}", o) for o in spec], continuous_update=False, **common)
        slider.value = value  # (passing value= equal to the first option leaves .label empty in ipywidgets 8.1)
        return slider
    lo, hi, step = spec
    if name == "seed":
        return widgets.BoundedIntText(value=value, min=lo, max=hi, step=1, **common)
    if kind == "int":
        return widgets.IntSlider(value=value, min=lo, max=hi, step=step, continuous_update=False, **common)
    fmt = ".0f" if step >= 1 else ".2f"
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, readout_format=fmt,
                               continuous_update=False, **common)


def layout(title: str | None, shown: Sequence[widgets.Widget], *, buttons: Sequence[widgets.Widget],
           status: widgets.Widget, plot: widgets.Widget, pins_view: widgets.Widget) -> widgets.VBox:
    """The whole panel: title, the shown controls in two columns, the pin and clear ``buttons``,
    status line, plot and pins, each with its CSS class."""
    children: list[widgets.Widget] = []
    if title:
        children.append(widgets.HTML(f"<h4 style='margin:4px 0'>{html.escape(title)}</h4>"))
    if shown:
        half = (len(shown) + 1) // 2
        children.append(widgets.HBox([widgets.VBox(list(shown[:half])), widgets.VBox(list(shown[half:]))]))
    children += [widgets.HBox(list(buttons)), status, plot, pins_view]
    box = widgets.VBox(children)
    # CSS hooks (the browser test and benchmark find the parts by them)
    box.add_class("training-explorer")
    status.add_class("explorer-status")
    plot.add_class("explorer-plot")
    pins_view.add_class("explorer-pins")
    pin_button, clear_button = buttons
    pin_button.add_class("explorer-pin")
    clear_button.add_class("explorer-clear-pins")
    return box


# -- the status line --------------------------------------------------------------------


def status_box(text: str, state: str) -> str:
    """The status line's HTML; ``data-state`` (training / done / error / waiting / paused) is for the tests."""
    return f"<div style='{_MONO}' data-state='{state}'>{text}</div>"


def grey(text: str) -> str:
    """Plain text shown greyed out (waiting, paused)."""
    return f"<span style='color:gray'>{html.escape(text)}</span>"


def error_html(exc: BaseException, training: bool = True) -> str:
    """A refusal or error in red: "cannot train with these settings: …" (``training``) or just the message."""
    if isinstance(exc, Refused):
        text = str(exc)
    else:
        kind = "" if isinstance(exc, (ValueError, TypeError)) else f"{type(exc).__name__}: "
        text = kind + str(exc)
    head = f"<b>{html.escape(t('explorer.status.cannot_train'))}</b> " if training else ""
    return f"<span style='color:#c00'>{head}{html.escape(text)}</span>"


def status_html(run: Run, pins: Sequence[Pin]) -> tuple[str, str]:
    """``(html, state)``: epoch, train/test accuracy, gap, ‖W‖ and sparsity (± sd over seeds), the
    difference to the last pin at the same epoch, errors, and notes on controls that have no effect."""
    s = run.settings
    agg = aggregate(run.histories) if run.histories else None
    n = len(agg["epoch"]) if agg is not None else 0
    epoch = t("explorer.status.epoch", epoch=n, epochs=s["epochs"])
    lines = []
    if n:
        def num(key: str, fmt: str = ".3f", scale: float = 1.0) -> str:
            mean = at_epoch(agg, key, n) * scale
            text = format(mean, fmt if key != "gap" else "+" + fmt)
            sd = agg[key + "_sd"]
            if sd is not None and math.isfinite(float(sd[n - 1])):
                text += "±" + format(float(sd[n - 1]) * scale, fmt)
            return text

        numbers_ = t("explorer.status.numbers", train=num("train_acc"), test=num("test_acc"), gap=num("gap"),
                     norm=num("weight_norm", ".1f"), sparsity=num("sparsity", ".1f", 100.0))
        first = f"{epoch} · {numbers_}"
        if s["n_seeds"] > 1:
            first += " · " + t("explorer.status.seeds", n=s["n_seeds"])
    else:
        first = epoch
    if run.errors:
        state = "error" if len(run.errors) == s["n_seeds"] or -1 in run.errors else ("done" if run.finished
                                                                                      else "training")
    else:
        state = "done" if run.finished else "training"
    word = {"done": t("explorer.status.done"), "training": t("explorer.status.training")}.get(state)
    first = html.escape(first) + (f" · <b>{html.escape(word)}</b>" if word else "")
    lines.append(first)
    if n and pins:
        pin = pins[-1]
        pin_agg = pin.curves()
        d_test = at_epoch(agg, "test_acc", n) - at_epoch(pin_agg, "test_acc", n)
        d_gap = at_epoch(agg, "gap", n) - at_epoch(pin_agg, "gap", n)
        delta = t("explorer.status.delta", n=pin.number, test=f"{d_test:+.3f}", gap=f"{d_gap:+.3f}",
                  epoch=min(n, len(pin_agg["epoch"])))
        lines.append(f"<span class='explorer-delta'>{html.escape(delta)}</span>")
    for seed, message in run.errors.items():
        prefix = "" if seed == -1 or s["n_seeds"] == 1 else t("explorer.status.seed_prefix", seed=seed) + " "
        lines.append(f"<span style='color:#c00'><b>{html.escape(prefix + message)}</b></span>")
    remarks = notes(s)
    if remarks:
        lines.append(grey("; ".join(remarks)))
    return "<br>".join(lines), state


def pins_html(pins: Sequence[Pin], dropped: Sequence[Pin] = ()) -> str:
    """The pins' legend under the plot: line style, number, label, final numbers ("" without pins)."""
    if not pins:
        return ""
    rows = [f"<div style='color:#555'>{html.escape(t('explorer.pins.title'))}</div>"]
    for pin in pins:
        dashes = PIN_DASHES[pin_style(pin)]
        swatch = (
            "<svg width='34' height='10' style='vertical-align:middle'>"
            f"<line x1='1' y1='3' x2='33' y2='3' stroke='{TRAIN_COLOR}' stroke-opacity='0.6' stroke-width='1.5'"
            f" stroke-dasharray='{dashes}'/>"
            f"<line x1='1' y1='8' x2='33' y2='8' stroke='{TEST_COLOR}' stroke-opacity='0.6' stroke-width='1.5'"
            f" stroke-dasharray='{dashes}'/></svg>"
        )
        f = pin.final()
        text = t("explorer.pins.item", n=pin.number, label=pin.label, test=f"{f['test_acc']:.3f}",
                 gap=f"{f['gap']:+.3f}")
        if not pin.complete:
            text += " " + t("explorer.pins.partial", epoch=f["epoch"], epochs=pin.settings["epochs"])
        rows.append(f"<div class='explorer-pin-item' data-pin='{pin.number}'>{swatch} {html.escape(text)}</div>")
    for pin in dropped:
        rows.append(f"<div style='color:gray'>{html.escape(t('explorer.pins.dropped', n=pin.number, max=MAX_PINS))}"
                    "</div>")
    return f"<div style='{_MONO}'>{''.join(rows)}</div>"
