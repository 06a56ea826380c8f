"""The committed data files are exactly what the seeded generators make."""

from trcourse.datasets import build_all, files
from trcourse.paths import ROOT


def test_generated_files_match_generators():
    drifted = files.stale(files.render(ROOT))
    assert not drifted, (
        "These files differ from their generator; run `make data` and commit: "
        + ", ".join(str(p.relative_to(ROOT)) for p in drifted)
    )


def test_generation_is_deterministic():
    first, second = files.render(ROOT), files.render(ROOT)
    assert first == second


def test_every_dataset_is_labelled_synthetic_and_sourced():
    for dataset in build_all().values():
        assert dataset.sources, f"{dataset.name} names no parameter source"
        assert len(dataset.frame) > 0, f"{dataset.name} is empty"
