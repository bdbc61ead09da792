"""Interactive panels (ipywidgets) for exploring the models in Jupyter.

Nothing here runs on import: ipywidgets is imported when a panel is built, so
importing this module never disturbs papermill or nbval runs. In a notebook::

    from dvcanalysis import explore
    explore.uptake()          # sliders; the fan chart and attainment table redraw on change
"""

from __future__ import annotations

# The assumptions the panel offers as sliders, with the slider's step.
SLIDERS = {
    "ministries_ratio": 0.1,
    "ministries_volume_share": 0.05,
    "ceiling_share": 0.01,
    "pace_multiplier": 0.1,
    "trend_pace_ratio": 0.1,
    "bass_p": 0.005,
    "bass_q": 0.01,
    "localities_to_national_ratio": 0.05,
}
_STYLE = {"description_width": "170px"}


def _widget(kind, name: str, *, description: str | None = None, **kwargs):
    """An ipywidgets control of the panel's width, named ``name`` unless described."""
    import ipywidgets as w

    return kind(
        description=description or name, style=_STYLE, layout=w.Layout(width="420px"), **kwargs
    )


def _controls(base, *, scenario: str, n_draws: int, seed: int, cutoff: str, horizon: int) -> dict:
    """The panel's controls: the run's settings, then one slider per assumption."""
    import ipywidgets as w

    from dvcanalysis import scenarios
    from dvcanalysis import uptake as up

    lazy = {"continuous_update": False}
    controls = {
        "scenario": _widget(w.Dropdown, "scenario", options=scenarios.names(), value=scenario),
        "curve": _widget(
            w.Dropdown, "curve", options=["(scenario)", *scenarios.CURVES], value="(scenario)"
        ),
        "national": _widget(
            w.Dropdown, "national", options=list(scenarios.NATIONAL_MODES), value=base.national
        ),
        "n_draws": _widget(
            w.IntSlider, "n_draws", value=n_draws, min=100, max=20000, step=100, **lazy
        ),
        "seed": _widget(w.IntText, "seed", value=seed),
        "cutoff": _widget(
            w.Text,
            "cutoff",
            description="cutoff (YYYY-MM-DD)",
            value=cutoff or up.parse_cutoff(None).isoformat(),  # default: the data date
            **lazy,
        ),
        "horizon": _widget(w.IntSlider, "horizon", value=horizon, min=2025, max=2040, **lazy),
        "vary": w.Checkbox(
            value=True,
            description="keep the scenario's ranges (untick: fix the sliders' values)",
            style=_STYLE,
        ),
    }
    for name, step in SLIDERS.items():
        spec = scenarios.SPECS[name]
        controls[name] = _widget(
            w.FloatSlider,
            name,
            value=base.assumptions[name].default,
            min=spec.low,
            max=spec.high,
            step=step,
            **lazy,
        )
    return controls


def _show_projection(c: dict, lang: str) -> None:
    """Project with the controls' values ``c``; show the fan chart and the attainment table
    (or the one-line error of a bad value)."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    from dvcanalysis import targets
    from dvcanalysis import uptake as up
    from dvcanalysis.errors import InputError
    from dvcanalysis.tables import uptake as uptake_tables

    overrides: dict[str, object] = {"national": c["national"]}
    if not c["vary"]:
        overrides.update({n: c[n] for n in SLIDERS})
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
    att = targets.attainment(proj)
    display(uptake_tables.attainment_table(att, lang, horizon=proj.parameters["horizon"]))


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

    from dvcanalysis import fmt, scenarios

    fmt.check_lang(lang)
    controls = _controls(
        scenarios.load(scenario),
        scenario=scenario,
        n_draws=n_draws,
        seed=seed,
        cutoff=cutoff,
        horizon=horizon,
    )
    out = w.Output()

    def redraw(_=None):
        out.clear_output(wait=True)
        with out:
            _show_projection({k: v.value for k, v in controls.items()}, lang)

    def on_scenario(change):
        sc = scenarios.load(change["new"])
        for n in SLIDERS:
            controls[n].value = sc.assumptions[n].default

    controls["scenario"].observe(on_scenario, names="value")
    for c in controls.values():
        c.observe(redraw, names="value")
    settings = ("scenario", "curve", "national", "n_draws", "seed", "cutoff", "horizon")
    left = w.VBox([controls[k] for k in settings])
    right = w.VBox([controls["vary"], *[controls[n] for n in SLIDERS]])
    panel = w.VBox([w.HBox([left, right]), out])
    redraw()
    return panel
