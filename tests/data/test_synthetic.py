"""The built-in corpus generator: layout, labels, determinism, safe reruns, and that genre and
arousal are actually audible in the clips."""

import csv
import os
import pathlib
import re

import numpy as np
import pytest
import soundfile as sf

from jmer.data.synthetic import render as synthetic
from jmer.tasks.labels import GTZAN_GENRES

SR = 22050
TINY = dict(clips_per_genre=2, clip_seconds=4.0, seed=0, progress=False)


def _rows(csv_path):
  with open(csv_path, newline="") as f:
    return list(csv.DictReader(f))


def _snapshot(folder):
  """path -> (bytes, mtime_ns) for every file under folder."""
  return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns)
          for p in sorted(pathlib.Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
  """10 genres x 2 clips x 4 s, generated once for the read-only checks."""
  return synthetic.generate_corpus(tmp_path_factory.mktemp("tiny") / "corpus", **TINY)


@pytest.fixture(scope="module")
def bigger(tmp_path_factory):
  """10 genres x 6 clips x 6 s: enough clips for the behaviour checks, a few seconds to make."""
  csv_path = synthetic.generate_corpus(tmp_path_factory.mktemp("bigger") / "corpus",
                                       clips_per_genre=6, clip_seconds=6.0, seed=3, progress=False)
  rows = _rows(csv_path)
  audio = [sf.read(csv_path.parent / r["path"])[0] for r in rows]
  return rows, audio


def test_metadata_columns_ranges_and_counts(tiny):
  assert tiny.name == "metadata.csv"
  with open(tiny, newline="") as f:
    assert next(csv.reader(f)) == ["track_id", "path", "genre", "arousal", "valence"]
  rows = _rows(tiny)
  assert len(rows) == 20
  assert [r["genre"] for r in rows] == [g for g in GTZAN_GENRES for _ in range(2)]
  assert len({r["track_id"] for r in rows}) == 20
  for r in rows:
    i = int(r["track_id"][-5:])
    assert r["track_id"] == f"synth_{r['genre']}_{i:05d}"
    assert r["path"] == f"{r['genre']}/{r['genre']}.{i:05d}.wav"  # relative to the CSV's folder
    assert (tiny.parent / r["path"]).is_file()
    for k in ("arousal", "valence"):
      assert re.fullmatch(r"-?\d\.\d{4}", r[k]), r[k]
      assert -1.0 <= float(r[k]) <= 1.0


def test_files_decode_mono_at_the_rate_and_not_silent(tiny):
  for r in _rows(tiny):
    path = tiny.parent / r["path"]
    info = sf.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (SR, 1, "PCM_16")
    assert info.frames == 4 * SR
    y, _ = sf.read(path)
    assert y.ndim == 1
    assert np.sqrt(np.mean(y ** 2)) > 0.01, path  # louder than about -40 dBFS
    assert np.abs(y).max() <= 0.99 + 1 / 32768, path


def test_same_seed_gives_identical_bytes_and_other_seeds_differ(tiny, tmp_path):
  again = synthetic.generate_corpus(tmp_path / "again", **TINY)
  first, second = _snapshot(tiny.parent), _snapshot(again.parent)
  assert first.keys() == second.keys()
  assert all(first[k][0] == second[k][0] for k in first)
  # A clip does not depend on how many clips are generated alongside it...
  fewer = synthetic.generate_corpus(tmp_path / "fewer", **{**TINY, "clips_per_genre": 1})
  for g in GTZAN_GENRES:
    rel = f"{g}/{g}.00000.wav"
    assert (fewer.parent / rel).read_bytes() == (tiny.parent / rel).read_bytes()
  # ...but does depend on the seed.
  other = synthetic.generate_corpus(tmp_path / "other", **{**TINY, "clips_per_genre": 1, "seed": 1})
  for g in GTZAN_GENRES:
    a = sf.read(tiny.parent / f"{g}/{g}.00000.wav")[0]
    b = sf.read(other.parent / f"{g}/{g}.00000.wav")[0]
    assert not np.allclose(a, b)


def test_rerun_with_same_params_rewrites_nothing(tmp_path):
  csv_path = synthetic.generate_corpus(tmp_path / "c", **{**TINY, "clips_per_genre": 1})
  before = _snapshot(csv_path.parent)
  assert synthetic.generate_corpus(tmp_path / "c", **{**TINY, "clips_per_genre": 1}) == csv_path
  assert _snapshot(csv_path.parent) == before  # same files, same bytes, same mtimes
  assert sorted(os.listdir(tmp_path)) == ["c"]  # and no leftover temporary folder


def test_different_params_raise_naming_the_folder(tmp_path):
  folder = tmp_path / "c"
  synthetic.generate_corpus(folder, **{**TINY, "clips_per_genre": 1})
  before = _snapshot(folder)
  for change in ({"clip_seconds": 3.0}, {"seed": 7}, {"clips_per_genre": 2}):
    with pytest.raises(ValueError, match=re.escape(str(folder))):
      synthetic.generate_corpus(folder, **{**TINY, "clips_per_genre": 1, **change})
  assert _snapshot(folder) == before


def test_refuses_a_folder_holding_other_files(tmp_path):
  folder = tmp_path / "mine"
  folder.mkdir()
  (folder / "notes.txt").write_text("keep me")
  with pytest.raises(ValueError, match=re.escape(str(folder))):
    synthetic.generate_corpus(folder, **TINY)
  assert sorted(os.listdir(folder)) == ["notes.txt"]
  # An existing empty folder is fine to fill.
  (tmp_path / "empty").mkdir()
  assert synthetic.generate_corpus(tmp_path / "empty", **{**TINY, "clips_per_genre": 1}).exists()


def test_interrupted_run_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
  real, calls = synthetic.render_clip, []

  def failing(*args):
    calls.append(1)
    if len(calls) == 5:
      raise KeyboardInterrupt
    return real(*args)

  monkeypatch.setattr(synthetic, "render_clip", failing)
  with pytest.raises(KeyboardInterrupt):
    synthetic.generate_corpus(tmp_path / "c", **{**TINY, "clips_per_genre": 1})
  assert os.listdir(tmp_path) == []  # neither the corpus nor its temporary sibling
  monkeypatch.setattr(synthetic, "render_clip", real)
  assert len(_rows(synthetic.generate_corpus(tmp_path / "c", **{**TINY, "clips_per_genre": 1}))) == 10


def test_emotion_labels_depend_on_genre_without_being_determined_by_it():
  rng = np.random.default_rng(0)
  means = {}
  for g in GTZAN_GENRES:
    av = np.array([synthetic._sample_av(rng, synthetic._STYLES[g]["av"]) for _ in range(2000)])
    assert np.all(np.abs(av) <= 1)
    quadrants = {(a >= 0, v >= 0) for a, v in av}
    assert len(quadrants) == 4, g  # every genre reaches every part of the plane
    assert av.std(0).min() > 0.25, g
    means[g] = av.mean(0)
  calm, energetic = ("classical", "blues"), ("metal", "disco")
  assert min(means[g][0] for g in energetic) > max(means[g][0] for g in calm) + 0.5  # arousal
  assert means["pop"][1] > max(means["metal"][1], means["blues"][1]) + 0.5  # valence


@pytest.mark.slow
def test_arousal_is_audible_as_onsets_and_brightness(bigger):
  import librosa
  from scipy.stats import spearmanr
  rows, audio = bigger
  arousal = [float(r["arousal"]) for r in rows]
  audio = [y.astype(np.float32) for y in audio]
  onset_rate = [len(librosa.onset.onset_detect(y=y, sr=SR)) for y in audio]
  centroid = [librosa.feature.spectral_centroid(y=y, sr=SR).mean() for y in audio]
  assert spearmanr(arousal, onset_rate)[0] > 0.4  # about 0.55
  assert spearmanr(arousal, centroid)[0] > 0.4  # about 0.55


@pytest.mark.slow
def test_loudness_is_a_random_mastering_gain_not_arousal(bigger):
  """Real records are mastered to any level, so loudness must not give arousal away (it once
  did: the old renderer set the level from arousal, r about 0.95)."""
  rows, audio = bigger
  arousal = [float(r["arousal"]) for r in rows]
  rms_db = [10 * np.log10(np.mean(y ** 2)) for y in audio]
  assert abs(np.corrcoef(arousal, rms_db)[0, 1]) < 0.3  # about 0.15
  # The level really varies (a +-10 dB gain, sd about 5.8 dB), yet the loudest clip does not clip.
  assert np.std(rms_db) > 3
  assert max(np.abs(y).max() for y in audio) <= 0.99 + 1 / 32768


@pytest.mark.slow
def test_genres_are_separable_above_chance(bigger):
  import librosa
  from sklearn.linear_model import LogisticRegression
  from sklearn.model_selection import StratifiedKFold, cross_val_score
  from sklearn.pipeline import make_pipeline
  from sklearn.preprocessing import StandardScaler
  rows, audio = bigger
  features = []
  for y in audio:
    m = librosa.feature.mfcc(y=y.astype(np.float32), sr=SR, n_mfcc=20)
    features.append(np.concatenate([m.mean(1), m.std(1)]))
  genres = [r["genre"] for r in rows]
  model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
  accuracy = cross_val_score(model, np.array(features), genres,
                             cv=StratifiedKFold(3, shuffle=True, random_state=0)).mean()
  assert accuracy > 0.3, accuracy  # chance is 0.1
