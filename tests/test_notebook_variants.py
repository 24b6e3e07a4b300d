"""``fmstudy notebook``'s variants and files: the networks written out as PyTorch layers,
the markdown the student's and the sentences outputs, the exercise that asks (and its
solution that answers), the --out replace rule and the export to HTML."""

import nbformat
import pytest

from fmstudy import FmstudyError
from fmstudy.cli.main import main
from fmstudy.course import notebook as nbmod
from fmstudy.course.notebook_code import network_cell, sequential_code
from fmstudy.course.notebook_files import check_out, export
from fmstudy.nets.presets import get_preset
from fmstudy.nets.spec import NetSpec, build_model, parse_layers
from fmstudy.study.config import study_config

QUICK = study_config(surname="Lind", profile="quick", seed=0)
ANSWERS = ("RandomForestClassifier(", "LogisticRegression(", "PCA(", "nn.Sequential(", "pd.concat(")


def _code(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize(
    "spec",
    [
        get_preset("notebook-2"),
        get_preset("cnn-tiny"),
        NetSpec(parse_layers("c8:d0.1-p-c4-p-p-12:d0.5"), "x", activation="gelu"),
    ],
)
def test_the_written_layers_are_the_models_layers(spec):
    import torch
    from torch import nn

    made = eval(sequential_code(spec), {"nn": nn, "C": 1, "H": 28, "W": 28, "N_CLASSES": 4})
    built = build_model(spec, 4, (28, 28))
    assert [type(m) for m in made] == [type(m) for m in built]
    assert [p.shape for p in made.parameters()] == [p.shape for p in built.parameters()]
    assert made(torch.zeros(2, 1, 28, 28)).shape == (2, 4)


def test_the_notebook_writes_its_networks_out_as_pytorch_code():
    cells = _code(nbmod.build_notebook(study_config(classes="4-7")))
    code = "\n".join(cells)
    assert "def make_notebook_2():" in code and "nn.Dropout(0.25)," in code
    assert "nn.Linear(C * H * W, 100)," in code and "nn.Linear(128, N_CLASSES)," in code
    assert "'optimizer': 'sgd', 'lr': 0.01" in code and "opt.step()" in code  # a plain loop
    assert not any(w in code for w in ("get_preset", "train_subset", "with_overrides"))
    # fmstudy's records are made only in the cells that print the sentences from them
    assert all("say(" in c for c in cells if "model_result(" in c)


def test_only_validated_values_reach_the_code():
    net = network_cell(NetSpec(parse_layers("8"), name='a"); import os #').to_dict())
    assert net["function"] == "make_a____import_os__" and "import os" not in net["code"]


@pytest.mark.parametrize("variant", [{}, {"exercise": True}, {"exercise": True, "solution": True}])
def test_every_cell_marker_starts_a_cell(variant):
    for cfg in (QUICK, study_config(classes="0-3", lang="sv")):
        nb = nbmod.build_notebook(cfg, **variant)
        assert not [c.source for c in nb.cells if "%% " in c.source]


def test_markdown_is_the_students_and_sentences_are_outputs():
    nb = nbmod.build_notebook(QUICK)
    md = _markdown(nb)
    assert "say(" not in md and "Your discussion" in md and "Your conclusion" in md
    sentence_cells = [c for c in _code(nb) if "say(" in c and "narrative" in c]
    assert len(sentence_cells) >= 5  # task 1, 2, 3, 4, 5 and the comparison print theirs
    assert "The run shown below" not in md


def test_the_exercise_asks_and_gives_no_answer():
    ex = nbmod.build_notebook(QUICK, exercise=True)
    code = _code(ex)
    blanks = [c for c in code if c == "# your code here"]
    assert len(blanks) >= 8
    given = "\n".join(c for c in code if c != "# your code here")
    assert not any(
        a in given.split("from fmstudy.api import DataOptions, eval_plots, figures")[1]
        for a in ANSWERS
    )
    assert (
        "run_pca" not in given
        and "narrative" not in given
        and "say(" not in given.split("def draw")[1]
    )
    assert "def train_network(" in given and "def show(" in given  # the helpers are given
    md = _markdown(ex)
    assert "depth, the width and the dropout" in md and "batch size" in md
    before = [  # every blank cell follows its question (task 1's: the given loading cell)
        ex.cells[i - 1]
        for i, c in enumerate(ex.cells)
        if c.cell_type == "code" and c.source == "# your code here"
    ]
    assert "load_dataset(DATASET)" in before[0].source
    assert all(c.cell_type == "markdown" for c in before[1:])


def test_the_solution_holds_the_answers_and_no_sentences():
    sol = nbmod.build_notebook(QUICK, exercise=True, solution=True)
    code = "\n".join(_code(sol))
    assert all(a in code for a in ANSWERS) and "# your code here" not in code
    assert "narrative" not in code and "run_pca" not in code
    for source in _code(sol):
        compile(source, "cell", "exec")
    assert sol.metadata["fmstudy"]["solution"] is True


def test_out_is_replaced_only_when_fmstudy_wrote_it_unchanged(tmp_path):
    out = tmp_path / "tasks.ipynb"
    nbmod.write_notebook(QUICK, out, exercise=True)
    nbmod.write_notebook(QUICK, out, exercise=True)  # its own, unchanged: replaced
    nb = nbformat.read(out, as_version=4)
    nb.metadata["fmstudy"]["config"]["seed"] = 0  # metadata and outputs are not the sources
    nb.cells[-1].source = "My own conclusion."
    nbformat.write(nb, out)
    with pytest.raises(FmstudyError, match="nobody edited since.*--force"):
        check_out(out, force=False)
    (tmp_path / "mine.ipynb").write_text("{}")
    with pytest.raises(FmstudyError, match="--force"):
        check_out(tmp_path / "mine.ipynb", force=False)
    nbmod.write_notebook(QUICK, out, exercise=True, force=True)
    assert nbformat.read(out, as_version=4).cells[-1].source != "My own conclusion."


def test_the_cli_refuses_an_edited_notebook_in_one_line(tmp_path, capsys):
    out = tmp_path / "tasks.ipynb"
    args = ["notebook", "--surname", "Lind", "--profile", "quick", "--exercise", "--out", str(out)]
    assert main(args) == 0
    out.write_text(out.read_text().replace("your code here", "my code"))
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--force" in err
    assert main(["notebook", "--classes", "4-7", "--solution", "--out", str(tmp_path / "s")]) == 2
    assert "--exercise" in capsys.readouterr().err


def _tiny(tmp_path):
    """A two-cell notebook, unexecuted, to export."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny"), nbformat.v4.new_code_cell("x = 41 + 1")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_to_html_exports_with_nbconvert(tmp_path):
    path = _tiny(tmp_path)
    html = export(path, "html")
    assert html == tmp_path / "tiny.html"
    text = html.read_text()
    assert "<html" in text and "41" in text and "Tiny" in text
    export(path, "html")  # its own export: replaced
    html.write_text("<html>mine</html>")
    with pytest.raises(FmstudyError, match="--force"):
        export(path, "html")


def test_to_pdf_prints_the_html_with_chromium(tmp_path, chromium):
    """``--to pdf``: the nbconvert HTML printed by the installed headless Chromium."""
    path = _tiny(tmp_path)
    pdf = export(path, "pdf")
    assert pdf == tmp_path / "tiny.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000


def test_the_plain_loop_says_it_leaves_out_mixed_precision():
    assert network_cell(get_preset("cnn-small").to_dict())["left_out"] == "precision"
    assert network_cell(get_preset("notebook-1").to_dict())["left_out"] == ""
