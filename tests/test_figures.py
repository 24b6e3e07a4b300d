"""figures.py: Figures built without pyplot, and no global state changed by importing or
drawing (a notebook keeps its inline backend and its own theme)."""

import subprocess
import sys

CHECK = """
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt
before = dict(matplotlib.rcParams)
import numpy as np
from fmstudy.plots import figures
fig = figures.confusion_heatmap([[3, 1], [0, 4]], ["a", "b"], "t")
curves = figures.training_curves(
    [{"train_loss": [1, .5], "val_loss": [1, .6], "train_acc": [.5, .8], "val_acc": [.5, .7]}],
    [2], "net")
assert type(fig).__name__ == "Figure" and len(fig.axes) == 1 and len(curves.axes) == 2
assert matplotlib.get_backend() == "svg", matplotlib.get_backend()
changed = [k for k, v in matplotlib.rcParams.items() if before.get(k) != v]
assert changed == [], changed
assert plt.get_fignums() == []  # nothing left open in pyplot
print("ok")
"""


def test_drawing_changes_no_global_state():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_figures_use_the_whitegrid_style_inside():
    from fmstudy.plots import figures

    fig = figures.oob_curve([(50, 0.9), (100, 0.92)])
    ax = fig.axes[0]
    assert ax.get_facecolor()[:3] == (1.0, 1.0, 1.0) and ax.xaxis.get_gridlines()[0].get_visible()
