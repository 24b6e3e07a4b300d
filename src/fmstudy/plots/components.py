"""Principal axes of colour images, drawn channel by channel.

    fig = colour_components(result.figure_data.pca.components, ratios, (64, 64, 3))

A colour image's pixels are stored channel-last (H, W, 3) and flattened to H·W·3 numbers,
so a principal axis has a weight for each pixel's red, green and blue value.  Each axis
is a column of three panels, its R, G and B weights, on one symmetric scale per axis
(red +, blue −), so the channels' weights can be compared; the title says so.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from fmstudy.i18n import gettext as _
from fmstudy.i18n import pct
from fmstudy.plots.figures import styled

CHANNELS = ("R", "G", "B")


@styled
def colour_components(components: np.ndarray, ratios, shape: tuple) -> Figure:
    """The first principal axes (rows of ``components``, flattened ``shape`` = (H, W, 3))
    as three panels each, one per colour channel, with each axis's share of the
    variance (``ratios``)."""
    n = len(components)
    fig = Figure(figsize=(max(n * 1.3, 3.5), 4.6))
    axes = fig.subplots(len(CHANNELS), n, squeeze=False)
    for i in range(n):
        lim = np.abs(components[i]).max() or 1.0
        picture = components[i].reshape(shape)
        axes[0, i].set_title(f"PC{i + 1}\n{pct(ratios[i])}", fontsize=9)
        for c, name in enumerate(CHANNELS):
            ax = axes[c, i]
            ax.imshow(picture[..., c], cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if i == 0:
                ax.set_ylabel(name, rotation=0, labelpad=10)
    fig.suptitle(
        _(
            "Principal axes as {h}x{w} images, one row per colour channel (R, G, B), "
            "one scale per axis (red +, blue -)"
        ).format(h=shape[0], w=shape[1]),
        fontsize=10,
    )
    return fig
