"""A real browser check: ``index.html`` and one briefing of each language opened in headless
Chromium (Debian's ``chromium``; ``.ci/run`` installs it when it is missing and the machine
allows it): no broken image, no horizontal scroll at 1,100 px and at 400 px, the key message
present. Skipped, saying why, where no Chromium is installed."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dvcanalysis import paths

BROWSER = next(
    (shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
    None,
)
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium on this machine (Debian: apt-get install chromium; .ci/run installs it "
    "when it may)",
)

PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{src}" style="width:{width}px;height:900px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
const f = document.getElementById("f");
f.onload = () => {{
  const d = f.contentDocument;
  const imgs = Array.from(d.images);
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 60));
  const el = d.scrollingElement || d.documentElement;
  document.getElementById("out").textContent = JSON.stringify({{
    images: imgs.length, broken: broken, scroll_width: el.scrollWidth,
    client_width: el.clientWidth, key: !!d.querySelector(".dvc-key"),
    title: d.title,
  }});
}};
</script></body></html>"""


def _probe(page: Path, width: int) -> dict:
    with tempfile.TemporaryDirectory() as profile:
        probe = page.parent / f".probe-{width}-{page.stem}.html"
        probe.write_text(PROBE.format(src=page.name, width=width), encoding="utf-8")
        cmd = [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--allow-file-access-from-files",
            "--virtual-time-budget=15000",
            "--dump-dom",
            probe.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        probe.unlink()
    m = re.search(r'<pre id="out">(.*?)</pre>', proc.stdout, re.S)
    assert m and m.group(1) != "pending", (proc.returncode, proc.stderr[-1500:])
    import html

    return json.loads(html.unescape(m.group(1)))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):  # the shipped data: what make briefings renders
    out = tmp_path_factory.mktemp("browser") / "out"
    cmd = [
        sys.executable,
        "-m",
        "dvcanalysis.cli",
        "render",
        "--out",
        str(out),
        "--no-progress",
        "--only",
        "briefing_business-as-usual_national_*",
    ]
    env = {**os.environ, "DVC_DATA_DIR": str(paths.root() / "data")}
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=900, cwd=paths.root(), env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.mark.parametrize("width", [1100, 400])
@pytest.mark.parametrize(
    "page",
    [
        "index.html",
        "briefing_business-as-usual_national_vi.html",
        "briefing_business-as-usual_national_en.html",
    ],
)
def test_page_in_a_real_browser(rendered, page, width):
    r = _probe(rendered / page, width)
    assert r["broken"] == [], r
    assert r["scroll_width"] <= r["client_width"] + 1, r  # no horizontal scroll
    if page.startswith("briefing_"):
        assert r["key"], r  # the key message is there
        assert r["images"] >= 1
        assert r["title"].startswith(("Bản tin", "Fully-online"))  # not the file stem


def test_the_probe_sees_scroll_and_broken_images(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body><div style="width:2000px">wide</div><img src="missing.png"></body></html>',
        encoding="utf-8",
    )
    r = _probe(page, 400)
    assert r["scroll_width"] > r["client_width"]
    assert len(r["broken"]) == 1 and not r["key"]
