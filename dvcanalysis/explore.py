"""Interactive panels (ipywidgets) for exploring the models in Jupyter.

Nothing here runs on import: ipywidgets is imported when a panel is built, so
importing this module never disturbs papermill or nbval runs. In a notebook::

    from dvcanalysis import explore
    explore.uptake()          # sliders; the fan chart and attainment table redraw on change
"""

from __future__ import annotations


def uptake(
    *,
    scenario: str = "business-as-usual",
    lang: str = "vi",
    n_draws: int = 2000,
    seed: int = 0,
    cutoff: str = "",
    horizon: int = 2030,
):
    """A panel to explore uptake projections and target attainment.

    Controls: scenario, curve, national mode, n_draws, seed, cut-off, horizon, and the
    main assumptions (ministries ratio, ministries' volume share, ceiling, pace multiplier,
    trend-pace ratio (the current pace after the latest observation over the calibrated
    trend), Bass p and q, and the localities-to-national ratio used when the cut-off precedes
    every localities observation), each fixed at the chosen value. Every change re-runs
    :func:`dvcanalysis.uptake.project` and redraws the fan chart and the attainment table.

    Returns
    -------
    ipywidgets.VBox
        Display it (the last expression of a cell) to use it.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from dvcanalysis import fmt, scenarios, tables, targets
    from dvcanalysis import uptake as up
    from dvcanalysis.errors import InputError

    fmt.check_lang(lang)
    base = scenarios.load(scenario)
    a = base.assumptions
    style = {"description_width": "170px"}
    layout = w.Layout(width="420px")

    def slider(name: str, step: float):
        spec = scenarios.SPECS[name]
        return w.FloatSlider(
            value=a[name].default,
            min=spec.low,
            max=spec.high,
            step=step,
            description=name,
            style=style,
            layout=layout,
            continuous_update=False,
        )

    controls = {
        "scenario": w.Dropdown(
            options=scenarios.names(),
            value=scenario,
            description="scenario",
            style=style,
            layout=layout,
        ),
        "curve": w.Dropdown(
            options=["(scenario)", *scenarios.CURVES],
            value="(scenario)",
            description="curve",
            style=style,
            layout=layout,
        ),
        "national": w.Dropdown(
            options=list(scenarios.NATIONAL_MODES),
            value=base.national,
            description="national",
            style=style,
            layout=layout,
        ),
        "n_draws": w.IntSlider(
            value=n_draws,
            min=100,
            max=20000,
            step=100,
            description="n_draws",
            style=style,
            layout=layout,
            continuous_update=False,
        ),
        "seed": w.IntText(value=seed, description="seed", style=style, layout=layout),
        "cutoff": w.Text(
            value=cutoff or up.parse_cutoff(None).isoformat(),  # default: the data date
            description="cutoff (YYYY-MM-DD)",
            style=style,
            layout=layout,
            continuous_update=False,
        ),
        "horizon": w.IntSlider(
            value=horizon,
            min=2025,
            max=2040,
            description="horizon",
            style=style,
            layout=layout,
            continuous_update=False,
        ),
        "vary": w.Checkbox(
            value=True,
            description="keep the scenario's ranges (untick: fix the sliders' values)",
            style=style,
        ),
        "ministries_ratio": slider("ministries_ratio", 0.1),
        "ministries_volume_share": slider("ministries_volume_share", 0.05),
        "ceiling_share": slider("ceiling_share", 0.01),
        "pace_multiplier": slider("pace_multiplier", 0.1),
        "trend_pace_ratio": slider("trend_pace_ratio", 0.1),
        "bass_p": slider("bass_p", 0.005),
        "bass_q": slider("bass_q", 0.01),
        "localities_to_national_ratio": slider("localities_to_national_ratio", 0.05),
    }
    out = w.Output()
    names = (
        "ministries_ratio",
        "ministries_volume_share",
        "ceiling_share",
        "pace_multiplier",
        "trend_pace_ratio",
        "bass_p",
        "bass_q",
        "localities_to_national_ratio",
    )

    def redraw(_=None):
        c = {k: v.value for k, v in controls.items()}
        overrides: dict[str, object] = {"national": c["national"]}
        if not c["vary"]:
            overrides.update({n: c[n] for n in names})
        out.clear_output(wait=True)
        with out:
            try:
                proj = up.project(
                    c["scenario"],
                    n_draws=c["n_draws"],
                    seed=c["seed"],
                    cutoff=c["cutoff"],
                    horizon=c["horizon"],
                    curve=None if c["curve"] == "(scenario)" else c["curve"],
                    overrides=overrides,
                )
            except InputError as exc:
                print(exc)
                return
            fig = proj.plot(lang=lang)
            display(fig)
            plt.close(fig)
            display(
                tables.attainment_table(
                    targets.attainment(proj), lang, horizon=proj.parameters["horizon"]
                )
            )

    def on_scenario(change):
        sc = scenarios.load(change["new"])
        for n in names:
            controls[n].value = sc.assumptions[n].default

    controls["scenario"].observe(on_scenario, names="value")
    for c in controls.values():
        c.observe(redraw, names="value")
    left = w.VBox(
        [
            controls[k]
            for k in ("scenario", "curve", "national", "n_draws", "seed", "cutoff", "horizon")
        ]
    )
    right = w.VBox([controls["vary"], *[controls[n] for n in names]])
    panel = w.VBox([w.HBox([left, right]), out])
    redraw()
    return panel
