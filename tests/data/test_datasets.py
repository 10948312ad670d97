"""The real-dataset loaders on fixture folders in each real layout (generated, a few seconds each)."""

import pathlib

import numpy as np
import pytest

from jmer.tasks import labels
from jmer.data import audio
from jmer.data import loading
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import DATASETS
from jmer.data.datasets import deam
from jmer.data.datasets import emomusic
from jmer.data.datasets import gtzan
from jmer.data.datasets import layout
from jmer.data.datasets import sources
from tests.support import real_layouts  # tests/support/real_layouts.py


def _touch_gtzan(root, stems, sub="genres_original", ext=".wav"):
  """Empty files named like GTZAN's: listing never decodes, so they are enough for splits."""
  for stem in stems:
    path = pathlib.Path(root) / "gtzan" / sub / stem.split(".")[0] / f"{stem}{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def _config(tiny_config, root, **data):
  tiny_config.data.root = str(root)
  for key, value in data.items():
    tiny_config.data[key] = value
  return tiny_config


@pytest.mark.parametrize("sub,ext", [("genres", ".au"), ("genres_original", ".wav"),
                                     ("Data/genres_original", ".wav")])
def test_gtzan_layouts_give_genre_and_published_split(tiny_config, tmp_path, sub, ext):
  real_layouts.gtzan(tmp_path, ["blues.00029", "jazz.00002", "rock.00012"], layout=sub,
                     seconds=0.5)
  listing = gtzan.list_tracks(_config(tiny_config, tmp_path))
  got = {t.track_id: (labels.GTZAN_GENRES[t.genre], t.split, pathlib.Path(t.path).suffix)
         for t in listing.tracks}
  # blues.00029 is on train_filtered.txt, jazz.00002 on valid, rock.00012 on test.
  assert got == {"blues.00029": ("blues", "train", ext), "jazz.00002": ("jazz", "val", ext),
                 "rock.00012": ("rock", "test", ext)}


def test_gtzan_au_fixture_decodes_at_its_rate(tmp_path):
  folder = real_layouts.gtzan(tmp_path, ["blues.00000"], layout="genres", seconds=1.0)
  wave = audio.load_audio(folder / "blues" / "blues.00000.au", 22050)
  assert wave.shape == (22050,)


def test_gtzan_root_may_be_the_genre_folder_itself(tiny_config, tmp_path):
  folder = real_layouts.gtzan(tmp_path, ["disco.00001"], seconds=0.5)
  listing = gtzan.list_tracks(_config(tiny_config, folder))
  assert [t.track_id for t in listing.tracks] == ["disco.00001"]


def test_fault_filtered_split_is_honoured_exactly(tiny_config, tmp_path):
  _touch_gtzan(tmp_path, real_layouts.stems_per_genre(range(100)))
  listing = gtzan.list_tracks(_config(tiny_config, tmp_path, split="standard"))
  by_split = tracks_lib.split_tracks(listing.tracks, 0.15, 0.15, seed=0)
  ids = {s: {t.track_id for t in ts} for s, ts in by_split.items()}
  assert {s: len(v) for s, v in ids.items()} == {"train": 443, "val": 197, "test": 290}
  assert not (ids["train"] & ids["val"] or ids["train"] & ids["test"] or ids["val"] & ids["test"])
  assert ids == {s: {k for k, v in gtzan.fault_filtered_split().items() if v == s}
                 for s in ids}
  assert "70 track(s) outside it left out" in listing.description


def test_random_gtzan_split_is_stratified_and_disjoint(tiny_config, tmp_path):
  _touch_gtzan(tmp_path, real_layouts.stems_per_genre(range(10)), sub="genres", ext=".au")
  config = _config(tiny_config, tmp_path, split="random", val_fraction=0.2, test_fraction=0.2)
  listing = gtzan.list_tracks(config)
  assert len(listing.tracks) == 100 and all(t.split == "" for t in listing.tracks)
  by_split = tracks_lib.split_tracks(listing.tracks, 0.2, 0.2, seed=config.seed)
  ids = [t.track_id for ts in by_split.values() for t in ts]
  assert len(ids) == len(set(ids)) == 100
  for split in ("val", "test"):  # 2 of each genre's 10 clips
    assert sorted(np.bincount([t.genre for t in by_split[split]])) == [2] * 10


def test_unreadable_gtzan_file_is_reported_and_skipped(tiny_config, tmp_path):
  folder = real_layouts.gtzan(tmp_path, ["blues.00029", "jazz.00000", "rock.00012",
                                         "blues.00012", "jazz.00001", "rock.00029"], seconds=3.0)
  bad = folder / "jazz" / "jazz.00054.wav"  # the re-upload's broken file; on the test list
  bad.write_bytes(b"RIFF\x00\x00not really a wave file" * 10)
  config = _config(tiny_config, tmp_path, source="gtzan")
  config.tasks.emotion = "none"
  prep = loading.list_and_cache(config, progress=False)
  reasons = dict(prep.skipped)
  assert str(bad) in reasons and "cannot decode" in reasons[str(bad)]
  assert "jazz.00054" not in {t.track_id for ts in prep.by_split.values() for t in ts}
  assert sum(len(ts) for ts in prep.by_split.values()) == 6


def test_missing_dataset_folder_names_path_expectation_and_source(tiny_config, tmp_path):
  with pytest.raises(layout.DatasetLayoutError) as error:
    gtzan.list_tracks(_config(tiny_config, tmp_path))
  message = str(error.value)
  assert str(tmp_path / "gtzan") in message and "genres_original/<genre>" in message
  assert "marsyas" in message  # where to get it
  with pytest.raises(layout.DatasetLayoutError, match="MEMD_audio"):
    (tmp_path / "deam").mkdir()
    deam.list_tracks(tiny_config)
  tiny_config.data.root = ""
  with pytest.raises(layout.DatasetLayoutError, match="JMER_DATA"):
    emomusic.list_tracks(tiny_config)


def test_deam_original_csvs_with_leading_space_headers(tiny_config, tmp_path):
  # Song 5 is annotated without audio, song 2002 has audio but no annotation: both reported.
  real_layouts.deam(tmp_path, songs=[2, 3, 4, 2001, 2002], annotated=[2, 3, 4, 5, 2001],
                    seconds=0.5)
  csv = (tmp_path / "deam").rglob("static_annotations_averaged_songs_1_2000.csv")
  assert next(csv).read_text().startswith("song_id, valence_mean, valence_std")
  listing = deam.list_tracks(_config(tiny_config, tmp_path))
  got = {t.track_id: (t.arousal, t.valence) for t in listing.tracks}
  assert sorted(got, key=int) == ["2", "3", "4", "2001"]
  arousal, valence = real_layouts.av_rating(2001)  # 1-9 -> [-1, 1]: (x - 1) / 4 - 1
  assert got["2001"] == pytest.approx(((arousal - 1) / 4 - 1, (valence - 1) / 4 - 1))
  assert all(t.genre == labels.NO_GENRE for t in listing.tracks)
  skipped = dict(listing.skipped)
  assert any("song 5" in path and "audio file is missing" in why for path, why in skipped.items())
  assert any(path.endswith("2002.mp3") and "no annotation row" in why
             for path, why in skipped.items())


def test_deam_normalised_single_csv_is_accepted(tiny_config, tmp_path):
  folder = real_layouts.deam(tmp_path, songs=[7], annotated=[], seconds=0.5)
  for old in folder.rglob("static_annotations_averaged_songs_*.csv"):
    old.unlink()
  (folder / "static_annotations.csv").write_text(
      "song_id,valence_mean,valence_std,arousal_mean,arousal_std\n7,9,0.5,1,0.5\n")
  listing = deam.list_tracks(_config(tiny_config, tmp_path))
  assert [(t.track_id, t.arousal, t.valence) for t in listing.tracks] == [("7", -1.0, 1.0)]


def test_deam_bad_rating_names_file_and_song(tiny_config, tmp_path):
  folder = real_layouts.deam(tmp_path, songs=[7], seconds=0.5)
  csv = next(folder.rglob("static_annotations_averaged_songs_1_2000.csv"))
  csv.write_text(real_layouts.DEAM_HEADER + "\n7,n/a,1,5,1\n")
  with pytest.raises(ValueError, match=r"static_annotations_averaged_songs_1_2000.csv: song 7"):
    deam.list_tracks(_config(tiny_config, tmp_path))


def test_emomusic_genre_mapping_and_mediaeval_split(tiny_config, tmp_path):
  songs = list(range(2, 14))
  genres = ["Blues", "Classical", "Country", "Electronic", "Folk", "Jazz", "Pop", "Rock"] * 2
  real_layouts.emomusic(tmp_path, songs, genres[:len(songs)], evaluation=(3, 9), seconds=0.5)
  listing = emomusic.list_tracks(_config(tiny_config, tmp_path, split="standard"))
  got = {int(t.track_id): t for t in listing.tracks}
  names = {s: labels.GTZAN_GENRES[t.genre] if t.genre >= 0 else None for s, t in got.items()}
  assert names == {2: "blues", 3: "classical", 4: "country", 5: None, 6: None, 7: "jazz",
                   8: "pop", 9: "rock", 10: "blues", 11: "classical", 12: "country", 13: None}
  assert {s for s, t in got.items() if t.split == "test"} == {3, 9}
  assert {t.split for s, t in got.items() if s not in (3, 9)} == {"train", "val"}
  assert all(t.has_av for t in got.values())


def test_emomusic_random_split_leaves_split_to_the_experiment(tiny_config, tmp_path):
  real_layouts.emomusic(tmp_path, [2, 3], ["Blues", "Folk"], evaluation=(3,), seconds=0.5)
  listing = emomusic.list_tracks(_config(tiny_config, tmp_path, split="random"))
  assert [t.split for t in listing.tracks] == ["", ""]


def test_mp3_fixture_decodes_and_resamples(tmp_path):
  path = tmp_path / "1.mp3"
  try:
    real_layouts.write_clip(path, 1.0, 44100, seed=1)
  except Exception as error:  # an older libsndfile cannot write mp3
    pytest.skip(f"this libsndfile cannot write mp3: {error}")
  wave = audio.load_audio(path, 22050)
  assert abs(wave.size - 22050) < 2000  # mp3 encoder padding adds a few frames


def test_auto_source_uses_real_data_when_present_else_synthetic(tiny_config, tmp_path):
  config = _config(tiny_config, tmp_path, source="auto")
  names, note = sources.resolve_sources(config)
  assert names == ("synthetic",) and str(tmp_path) in note and "gtzan/" in note
  _touch_gtzan(tmp_path, ["pop.00001"])
  real_layouts.deam(tmp_path, songs=[], annotated=[])
  names, note = sources.resolve_sources(config)
  assert names == ("gtzan", "deam") and note.startswith("real data (gtzan + deam)")
  config.data.source = "deam+gtzan"
  assert sources.resolve_sources(config)[0] == ("deam", "gtzan")
  assert set(names) <= set(DATASETS)


def test_real_annotation_files_and_gtzan_samples(shared_data, tiny_config):
  from jmer.data.datasets import csvfile
  deam_csv = shared_data / "annotations" / "deam" / "static_annotations.csv"
  ratings = layout.static_av(csvfile.read_rows(deam_csv), deam_csv)
  values = np.array(list(ratings.values()))
  assert len(ratings) == 1802 and values.min() >= -1 and values.max() <= 1
  info = emomusic.read_songs_info(shared_data / "annotations" / "emomusic" / "songs_info.csv")
  genres = [labels.GTZAN_GENRES[g] if g >= 0 else None for g, _, _ in info.values()]
  assert len(info) == 744 and genres.count(None) == 92 + 71  # Electronic + Folk masked
  assert sum(part == "evaluation" for _, part, _ in info.values()) == 125
  assert all(artist for _, _, artist in info.values())  # every song names its artist (groups)
  # The packaged split lists are the shared ones; together 443/197/290, no overlap.
  for name in gtzan.SPLIT_FILES.values():
    packaged = (pathlib.Path(gtzan.__file__).parents[2] / "resources" / "gtzan_splits" / name)
    assert packaged.read_text() == (shared_data / "gtzan_splits" / name).read_text()
  # The real GTZAN samples, as a genre folder root: 16 clips including an mp3 that decodes.
  config = _config(tiny_config, shared_data / "gtzan_samples", split="random")
  listing = gtzan.list_tracks(config)
  assert len(listing.tracks) == 16 and listing.skipped == []
  mp3 = next(t for t in listing.tracks if t.track_id == "blues.00099")
  assert audio.load_audio(mp3.path, 22050).size > 20 * 22050
