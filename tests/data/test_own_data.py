"""Bring-your-own-data: class-folder and manifest datasets, any label vocabulary, k-fold CV.

Fixtures are a few seconds of generated audio per file: each class a different tone (clearly
separable), written as wav/flac/ogg/mp3 at mixed sample rates and channel counts.
"""

import csv
import json
import math
import pathlib

import numpy as np
import pytest
import soundfile as sf

from jmer import tasks as tasks_lib
from jmer.models import model_file
from jmer import config as config_lib
from jmer.data import audio
from jmer.data import loading
from jmer.data import folds
from jmer.data import pipeline
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import folder
from jmer.data.datasets import manifest

# Four genres GTZAN does not have, each a tone in its own mel region so a tiny model separates them.
OWN_GENRES = {"chiptune": 3000.0, "fado": 220.0, "gamelan": 1200.0, "polka": 550.0}
QUADRANT_FOLDERS = {"happy": 2500.0, "angry": 1000.0, "sad": 300.0, "calm": 150.0}


def write_tone(path, freq, seconds=4.0, sr=16000, channels=1, seed=0, fmt=None):
  """A pulsed tone with a little noise; a different pulse rate per file so no two are identical."""
  rng = np.random.default_rng(seed)
  t = np.arange(int(seconds * sr)) / sr
  pulse = 0.6 + 0.4 * np.sign(np.sin(2 * np.pi * (2 + seed % 5) * t))
  wave = 0.4 * pulse * np.sin(2 * np.pi * freq * (1 + 0.01 * rng.standard_normal()) * t)
  wave = (wave + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
  data = np.stack([wave, 0.8 * wave], axis=1) if channels == 2 else wave
  path.parent.mkdir(parents=True, exist_ok=True)
  sf.write(str(path), data, sr, format=fmt)
  return path


def rel(track_id: str) -> str:
  """A track id without its collection prefix: the file's path inside the collection."""
  return track_id.split("/", 1)[1]


def make_genre_folder(root):
  for g, (name, freq) in enumerate(OWN_GENRES.items()):
    for i in range(6):
      ext = (".wav", ".flac", ".ogg")[i % 3]
      write_tone(root / name / f"{name}_{i}{ext}", freq, sr=(16000, 22050)[i % 2], seed=10 * g + i)
  return root


@pytest.fixture
def genre_folder(tmp_path):
  return make_genre_folder(tmp_path / "own_genres")


def folder_config(config, root, task="genre"):
  config.data.source = "folder"
  config.data.folder.path = str(root)
  config.data.folder.task = task
  if task == "genre":
    config.tasks.emotion = "none"
  else:
    config.tasks.genre, config.tasks.emotion = False, "quadrant"
  return config


def test_folder_lists_any_genre_vocabulary(genre_folder, tiny_config):
  (genre_folder / "notes.txt").write_text("not audio")
  listing = folder.list_tracks(folder_config(tiny_config, genre_folder))
  assert listing.genre_names == ("chiptune", "fado", "gamelan", "polka")  # sorted folder names
  assert len(listing.tracks) == 24
  fado = [t for t in listing.tracks if rel(t.track_id).startswith("fado/")]
  assert len(fado) == 6 and all(t.genre == 1 and not t.has_av and t.quadrant == -1 for t in fado)
  assert [p for p, _ in listing.skipped] == [str(genre_folder / "notes.txt")]


@pytest.fixture
def quadrant_folder(tmp_path):
  """happy/angry/sad/calm at 16 k, 22.05 k and 44.1 k; stereo mp3s where libsndfile writes MP3."""
  root = tmp_path / "own_moods"
  mp3 = "MP3" in sf.available_formats()
  for q, (name, freq) in enumerate(QUADRANT_FOLDERS.items()):
    for i, sr in enumerate((16000, 22050, 44100)):
      write_tone(root / name.upper() / f"{name}_{sr}.wav", freq, seconds=3.5, sr=sr, seed=q * 5 + i)
    if mp3:
      write_tone(root / name.upper() / f"{name}_stereo.mp3", freq, seconds=3.5, sr=44100,
                 channels=2, seed=q * 5 + 4, fmt="MP3")
  return root, mp3


def test_quadrant_folder_mixed_rates_and_stereo_mp3(quadrant_folder, tiny_config):
  root, mp3 = quadrant_folder
  # A 1 s file (shorter than the 3 s segment) and a file that is not audio at all.
  write_tone(root / "SAD" / "short.flac", 300.0, seconds=1.0, sr=22050)
  (root / "CALM" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00not really a wave file")
  config = folder_config(tiny_config, root, task="quadrant")
  config_lib.validate(config)
  listing = folder.list_tracks(config)
  assert listing.genre_names == ()
  expected = {"HAPPY": 0, "ANGRY": 1, "SAD": 2, "CALM": 3}  # names matched case-insensitively
  assert all(t.quadrant == expected[rel(t.track_id).split("/")[0]] for t in listing.tracks)
  assert len(listing.tracks) == 4 * (4 if mp3 else 3) + 2

  for t in listing.tracks:
    if "broken" in t.path or "short" in t.path:
      continue
    wave = audio.load_audio(t.path, 22050)  # mono at the configured rate, whatever the file
    assert wave.ndim == 1 and abs(wave.size / 22050 - 3.5) < 0.1, t.path

  data = loading.load_run_data(config, progress=False)
  skipped = data.description["skipped"]
  assert [s["path"] for s in skipped] == [str(root / "CALM" / "broken.wav")]
  assert sum(len(s.tracks) for s in data.splits.values()) == len(listing.tracks) - 1
  assert [rel(p) for p in data.description["padded_tracks"]] == ["SAD/short.flac"]
  if not mp3:
    pytest.skip("this libsndfile build cannot write MP3; the stereo-mp3 part was not run")


def test_quadrant_names_and_task_errors(tiny_config, tmp_path):
  lookup = folder.quadrant_lookup(("joyful:Q1", "tense:2"))
  assert [folder.quadrant_index(n, lookup, "x", "k") for n in ("joyful", "TENSE", "q3", "4",
                                                                 "Q4_calm")] == [0, 1, 2, 3, 3]
  with pytest.raises(ValueError, match="'meh' is not a quadrant name"):
    folder.quadrant_index("meh", lookup, "x", "data.folder.quadrant_map")
  config = folder_config(tiny_config, tmp_path, task="quadrant")
  config.tasks.genre = True
  with pytest.raises(config_lib.ConfigError, match="tasks.genre=False"):
    config_lib.validate(config)
  only_quadrants = [tracks_lib.Track("a", "a.wav", "m", quadrant=2)]
  with pytest.raises(ValueError, match="carries only quadrant labels.*tasks.genre=False"):
    tracks_lib.check_task_labels(only_quadrants, tiny_config, "manifest")


@pytest.fixture
def manifest_csv(tmp_path):
  audio_dir = tmp_path / "clips"
  rows = [  # path, genre, arousal, valence, quadrant, split   (AV on a 1..9 scale)
      ("a.wav", "bolero", "5", "9", "", ""),
      ("b.wav", "", "3", "7.4", "", "test"),
      ("c.wav", "tango", "", "", "angry", ""),
      ("d.wav", "bolero", "1", "NA", "", "val"),
      ("e.wav", "", "", "", "", ""),
      ("f.wav", "tango", "9", "1", "", "train"),
  ]
  for i, row in enumerate(rows):
    write_tone(audio_dir / row[0], 200.0 * (i + 1), seconds=3.5, sr=22050, seed=i)
  path = tmp_path / "labels.csv"
  with open(path, "w", newline="") as fh:
    writer = csv.writer(fh)
    writer.writerow(["path", "genre", "arousal", "valence", "quadrant", "split"])
    writer.writerows([(f"clips/{r[0]}",) + r[1:] for r in rows])
  return path


def manifest_config(config, path, scale=(1.0, 9.0)):
  config.data.source = "manifest"
  config.data.manifest.path = str(path)
  config.data.manifest.av_scale = scale
  config.tasks.emotion = "both"
  return config


def test_manifest_missing_labels_are_masked_and_av_rescaled(manifest_csv, tiny_config):
  listing = manifest.list_tracks(manifest_config(tiny_config, manifest_csv))
  assert listing.genre_names == ("bolero", "tango")
  t = {rel(tr.track_id): tr for tr in listing.tracks}
  # 1..9 onto [-1, 1]: x -> 2 (x - 1) / 8 - 1, so 5 -> 0, 9 -> 1, 3 -> -0.5, 7.4 -> 0.6, 1 -> -1.
  assert (t["clips/a.wav"].arousal, t["clips/a.wav"].valence) == (0.0, 1.0)
  assert t["clips/b.wav"].arousal == pytest.approx(-0.5)
  assert t["clips/b.wav"].valence == pytest.approx(0.6)
  assert t["clips/d.wav"].arousal == -1.0 and math.isnan(t["clips/d.wav"].valence)
  assert t["clips/c.wav"].quadrant == 1 and t["clips/c.wav"].genre == 1
  heads = ("genre", "emotion", "quadrant")
  tracks = {rel(tr.track_id): tr for tr in tracks_lib.with_quadrants(listing.tracks, 0.0)}
  weights = {k: tasks_lib.targets(tracks[f"clips/{k}.wav"], heads)[1] for k in "abcde"}
  assert weights["a"] == dict(genre=1, emotion=1, quadrant=1)  # AV implies the quadrant (Q1)
  assert weights["b"] == dict(genre=0, emotion=1, quadrant=1)
  assert weights["c"] == dict(genre=1, emotion=0, quadrant=1)
  assert weights["d"] == dict(genre=1, emotion=0, quadrant=0)  # valence missing: no AV pair
  assert weights["e"] == dict(genre=0, emotion=0, quadrant=0)
  y, _ = tasks_lib.targets(tracks["clips/b.wav"], heads)
  np.testing.assert_allclose(y["emotion"], [-0.5, 0.6], atol=1e-6)
  assert y["quadrant"] == 3  # low arousal, positive valence: Q4

  by_split = tracks_lib.split_tracks(listing.tracks, 0.2, 0.2, seed=0)
  where = {rel(tr.track_id): s for s, ts in by_split.items() for tr in ts}
  assert (where["clips/b.wav"], where["clips/d.wav"], where["clips/f.wav"]) == (
      "test", "val", "train")


def test_manifest_rating_outside_scale_names_line_and_key(manifest_csv, tiny_config):
  with pytest.raises(ValueError, match=r"line 2, arousal: 5 lies outside data.manifest.av_scale"):
    manifest.list_tracks(manifest_config(tiny_config, manifest_csv, scale=(-1.0, 1.0)))


def test_manifest_experiment_data_reports_missing_file(manifest_csv, tiny_config):
  with open(manifest_csv, "a", newline="") as fh:
    csv.writer(fh).writerow(["clips/missing.wav", "tango", "5", "5", "", ""])
  data = loading.load_run_data(manifest_config(tiny_config, manifest_csv),
                                         progress=False)
  skipped = data.description["skipped"]
  assert len(skipped) == 1 and skipped[0]["path"] == str(manifest_csv.parent / "clips/missing.wav")
  assert data.genre_names == ("bolero", "tango")
  where = {rel(t.track_id): s for s, split in data.splits.items() for t in split.tracks}
  assert (where["clips/b.wav"], where["clips/d.wav"], where["clips/f.wav"]) == (
      "test", "val", "train")  # the split column, through the whole data path
  assert sum(len(split.tracks) for split in data.splits.values()) == 6


def test_folds_partition_tracks_stratified(genre_folder, tiny_config):
  tracks = folder.list_tracks(folder_config(tiny_config, genre_folder)).tracks
  assignment = folds.fold_ids(tracks, 3, seed=0)
  assert len(assignment) == len(tracks) and set(assignment.values()) == {0, 1, 2}
  for k in range(3):
    held = folds.hold_out_fold(tracks, 3, k, seed=0)
    test = [t for t in held if t.split == "test"]
    assert len(test) == 8 and all(t.split == "" for t in held if t not in test)
    # Stratified: each of the 4 genres has 6 tracks, so 2 per fold.
    assert np.bincount([t.genre for t in test], minlength=4).tolist() == [2, 2, 2, 2]
  assert folds.fold_ids(list(reversed(tracks)), 3, seed=0) == assignment  # order-independent


@pytest.fixture(scope="module")
def cv_run(tmp_path_factory):
  """2-fold cross-validation of the 4-genre folder set with the tiny config (trained once)."""
  from jmer.config import files as config_files
  from jmer.training import crossval
  tmp = tmp_path_factory.mktemp("cv")
  test_config = config_files.load(str(pathlib.Path(__file__).resolve().parents[2] / "configs"
                                      / "test.py"))
  config = folder_config(test_config, make_genre_folder(tmp / "own_genres"))
  config.data.cache_dir = str(tmp / "cache")
  config.eval.folds = 2
  config.train.epochs = 6
  config.train.crops_per_track = 4
  config.train.learning_rate = 3e-3
  return tmp / "cv", crossval.cross_validate(config, tmp / "cv")


@pytest.mark.slow
def test_cross_validation_writes_mean_and_std(cv_run):
  workdir, result = cv_run
  saved = json.loads((workdir / "crossval.json").read_text())
  acc = saved["summary"]["genre/accuracy"]
  per_fold = [f["metrics"]["genre/accuracy"] for f in saved["per_fold"]]
  assert acc["folds"] == 2 and acc["mean"] == pytest.approx(np.mean(per_fold))
  assert acc["std"] == pytest.approx(np.std(per_fold))
  assert result["summary"] == saved["summary"]
  # Every track is tested in exactly one fold.
  tested = []
  for k in range(2):
    with open(workdir / f"fold_{k}" / "test_predictions.csv") as fh:
      tested += [rel(r["track_id"]) for r in csv.DictReader(fh)]
  assert sorted(tested) == sorted(f"{g}/{g}_{i}{('.wav', '.flac', '.ogg')[i % 3]}"
                                  for g in OWN_GENRES for i in range(6))
  pooled = np.asarray(saved["pooled_confusion_matrices"]["genre"])
  assert pooled.shape == (4, 4) and pooled.sum() == 24
  # Learned: pooled test accuracy over all 24 tracks is above chance (1/4).
  assert np.trace(pooled) / 24 > 0.25 + 1e-9, pooled


@pytest.mark.slow
def test_own_genre_names_reach_head_metrics_and_predictions(cv_run):
  workdir, result = cv_run
  names = list(OWN_GENRES)
  assert result["class_names"]["genre"] == names
  report = json.loads((workdir / "fold_0" / "metrics.json").read_text())
  assert list(report["metrics"]["genre"]["per_class_f1"]) == names
  with open(workdir / "fold_0" / "test_predictions.csv") as fh:
    rows = list(csv.DictReader(fh))
  assert rows and {r["pred_genre"] for r in rows} | {r["true_genre"] for r in rows} <= set(names)
  export = pytest.importorskip("jmer.inference.export")
  predict = pytest.importorskip("jmer.inference.predict")
  bundle = model_file.load_model_bundle(workdir / "fold_0" / model_file.MODEL_FILENAME)
  assert bundle.model.get_layer("genre").output.shape[-1] == 4  # the head is sized by the data
  assert bundle.genre_names == tuple(names)
  song = sorted((workdir.parent / "own_genres" / "gamelan").iterdir())[0]
  out = predict.predict_file(bundle, song)
  assert list(out["genre_probabilities"]) == names and out["genres"][0]["genre"] in names
