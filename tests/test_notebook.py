"""examples/quickstart.ipynb runs top to bottom (nbclient, a real Jupyter kernel): on the
sample trace, and on a corpus trace when the corpus is present (the notebook's corpus
cells do nothing otherwise)."""

from __future__ import annotations

import os
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
for _mod in ("pyarrow", "pandas", "dask.dataframe"):
    pytest.importorskip(_mod)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "examples", "quickstart.ipynb")


def _outputs(nb):
    text = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                text.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                text.append(o.data.get("text/plain", ""))
                text.append(o.data.get("text/html", ""))
            elif o.output_type == "error":
                raise AssertionError(f"cell failed: {o.ename}: {o.evalue}")
    return "\n".join(text)


def test_quickstart_notebook_runs(monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager
    if "python3" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("no python3 Jupyter kernel installed")
    # The kernel imports etw from wherever this test run does.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in sys.path if p))
    corpus = os.path.normpath(os.path.join(ROOT, "..", "shared", "etl-corpus"))
    monkeypatch.setenv("ETW_CORPUS", corpus)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": os.path.dirname(NOTEBOOK)}})
    client.execute()
    out = _outputs(nb)
    assert "5064 events" in out
    assert "{'User': 'mallory', 'Reason': 1, 'Attempt': 2}" in out and "BadPassword" in out
    assert "5,064 events by provider" in out                       # the trace's HTML view
    assert "'Contoso-Sample-Service/Login'" in out
    assert "2 partitions, 10128 events" in out
    import re
    assert re.search(r"Contoso-Sample-Service\s+3,567\s+70\.4%", out)
    if os.path.exists(os.path.join(corpus, "perfview_net.4.5.2.x64.etl")):
        assert "Microsoft-Windows-DotNETRuntime            32730" in out
        assert "10382 allocation ticks" in out
    else:
        assert "absent - the cells below do nothing" in out
