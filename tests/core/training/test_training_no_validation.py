"""A split that holds nothing out for validation still pretrains and fine-tunes."""

from training_helpers import dbn_project, kinds, run_all

from core.training.session import run_training


def test_a_dbn_trains_with_no_validation_split(tmp_path):
    project = dbn_project(epochs=1, finetune_epochs=1)
    project.data["split"]["validation"] = 0.0
    events = run_all(run_training(project, tmp_path / "run"))
    assert kinds(events)[-1] == "Finished", getattr(events[-1], "message", "")
