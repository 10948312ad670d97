"""`--mode=prepare`, mixing datasets in one training stream, and a mixed GTZAN + DEAM run."""

import json

import numpy as np
import pytest

from jmer import config as config_lib
from jmer.tasks import labels
from jmer.data import prepare
from jmer.data import mixing
from jmer.data import split_arrays
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import sources
from tests.support import real_layouts  # tests/support/real_layouts.py



def _stems_on_lists(per_list=2, genres=("blues", "classical", "jazz", "rock")) -> list:
  """The first `per_list` clips of each genre on each fault-filtered list."""
  from jmer.data.datasets import gtzan
  split_of = gtzan.fault_filtered_split()
  return [stem for split in ("train", "val", "test") for g in genres
          for stem in sorted(s for s, v in split_of.items() if v == split and s.startswith(g)
                             )[:per_list]]


@pytest.fixture
def mixed_config(tiny_config, tmp_path):
  real_layouts.gtzan(tmp_path / "data", _stems_on_lists(), seconds=3.0)
  real_layouts.deam(tmp_path / "data", songs=list(range(2, 14)), seconds=3.0)
  tiny_config.data.root = str(tmp_path / "data")
  tiny_config.data.source = "auto"  # configs/test.py pins 'synthetic'; here real data is found
  return tiny_config


def test_prepare_reports_counts_and_bad_files_and_is_idempotent(mixed_config, tmp_path, capsys):
  bad = tmp_path / "data" / "gtzan" / "genres_original" / "jazz" / "jazz.00054.wav"
  bad.write_bytes(b"not audio")
  first = prepare.prepare(mixed_config, progress=False)
  out = capsys.readouterr().out
  assert out.splitlines()[0].startswith("jmer: using real data (gtzan + deam) found under")
  assert "train     8 tracks  (blues 2, classical 2, jazz 2, rock 2)" in out
  assert f"{bad}: cannot decode" in out
  assert first.built == 36  # 24 GTZAN + 12 DEAM clips; the bad file is not counted
  second = prepare.prepare(mixed_config, progress=False)
  assert second.built == 0 and "0 track(s) computed now, 36 already cached" in capsys.readouterr().out


def _split_of(datasets):
  tracks = [tracks_lib.Track(track_id=str(i), path="", dataset=d) for i, d in enumerate(datasets)]
  frames = [np.zeros((300, 4), np.float32) for _ in tracks]
  return split_arrays.SplitData(tracks=tracks, features={"mel": frames})


def test_mixed_stream_follows_weights_and_reseeds_per_epoch(tiny_config):
  split = _split_of(["gtzan"] * 40 + ["deam"] * 10)
  tiny_config.train.crops_per_track = 4  # 200 samples an epoch
  stream = mixing.MixedStream(split, tiny_config, {"gtzan": 0.25, "deam": 0.75})
  rng = lambda epoch: np.random.default_rng([tiny_config.seed, 1, epoch])
  order = stream.order(rng(0))
  from_deam = np.mean(order >= 40)
  assert len(order) == 200 and 0.65 < from_deam < 0.85  # ~150 of 200, binomial spread
  deam_draws = np.bincount(order[order >= 40] - 40, minlength=10)
  assert deam_draws.max() - deam_draws.min() <= 1  # a small dataset is cycled evenly
  assert np.array_equal(order, stream.order(rng(0)))
  assert not np.array_equal(order, stream.order(rng(1)))


def test_mix_weights_name_datasets_in_use(tiny_config):
  tiny_config.data.mix_weights = "gtzan:3"
  assert sources.mix_weights(tiny_config, ("gtzan", "deam")) == [0.75, 0.25]
  tiny_config.data.mix_weights = "emomusic:1"
  with pytest.raises(config_lib.ConfigError, match="emomusic"):
    sources.mix_weights(tiny_config, ("gtzan", "deam"))
  tiny_config.data.mix_weights = "gtzan:-1"
  with pytest.raises(config_lib.ConfigError, match="data.mix_weights"):
    config_lib.validate(tiny_config)


@pytest.mark.slow
def test_mixed_gtzan_deam_run_reports_each_task_on_its_own_test_split(mixed_config, tmp_path,
                                                                      capsys):
  from jmer.training import train
  mixed_config.train.epochs = 1
  mixed_config.data.mix_weights = "gtzan:1,deam:1"
  report = train.train_and_evaluate(mixed_config, tmp_path / "run")
  assert capsys.readouterr().out.splitlines()[0].startswith(
      "jmer: using real data (gtzan + deam) found under")
  saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
  assert saved["data"]["source"] == "gtzan + deam" and saved["data"]["real_data"] is True
  assert saved["data"]["data_used"].startswith("real data (gtzan + deam)")
  per = saved["per_dataset"]
  # GTZAN's 8 test-list clips carry genre only; DEAM's 3 seeded test songs AV only.
  assert set(per["gtzan"]) == {"genre"} and per["gtzan"]["genre"]["n"] == 8
  assert set(per["deam"]) == {"emotion_av", "quadrant_from_av"}
  assert per["deam"]["emotion_av"]["arousal"]["n"] == saved["data"]["per_dataset"]["deam"][
      "test"]["tracks"] == 3
  assert saved["data"]["mix_weights"] == {"gtzan": 0.5, "deam": 0.5}
  assert report["data"]["genre_names"] == list(labels.GTZAN_GENRES)
