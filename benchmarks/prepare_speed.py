"""`prepare` on a GTZAN-size fixture vs a naive per-file librosa loop, measured in the same run.

Generates 1,000 clips x 30 s of tone + noise (22,050 Hz .wav, genres_original layout) in a temp
folder, then times
  naive:  per file librosa.load(sr=22050) + melspectrogram + mfcc(y=...) + chroma_stft(y=...)
          (three STFTs and librosa's default tuning estimate), on a sample of files, extrapolated;
  jmer:   `python -m jmer.main --mode=prepare` logic on all 1,000 files (soundfile decode, one
          shared STFT, MFCC from the log-mel, chroma with fixed tuning, 2 worker processes),
and prints both per-file figures and the ratio.

  python benchmarks/prepare_speed.py [--clips 1000] [--naive-sample 30]
"""

import argparse
import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import jmer  # noqa: E402,F401
from jmer.config import files as config_files  # noqa: E402
from jmer.tasks import labels  # noqa: E402
from tests.support import real_layouts  # noqa: E402


def make_fixture(root: pathlib.Path, clips: int) -> list:
  per_genre = clips // len(labels.GTZAN_GENRES)
  stems = real_layouts.stems_per_genre(range(per_genre))
  folder = real_layouts.gtzan(root, stems, seconds=30.0, sample_rate=22050)
  return sorted(folder.rglob("*.wav"))


def naive_seconds_per_file(paths) -> float:
  import librosa
  start = time.perf_counter()
  for path in paths:
    y, sr = librosa.load(str(path), sr=22050)
    librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=512, n_mels=128)
    librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
    librosa.feature.chroma_stft(y=y, sr=sr, n_fft=2048, hop_length=512)
  return (time.perf_counter() - start) / len(paths)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--clips", type=int, default=1000)
  parser.add_argument("--naive-sample", type=int, default=30)
  args = parser.parse_args()
  with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    start = time.perf_counter()
    paths = make_fixture(tmp / "data", args.clips)
    print(f"fixture: {len(paths)} clips x 30 s generated in {time.perf_counter() - start:.1f} s")
    step = max(1, len(paths) // args.naive_sample)
    naive = naive_seconds_per_file(paths[::step][:args.naive_sample])
    print(f"naive librosa loop: {naive * 1000:.0f} ms/file on {args.naive_sample} files "
          f"(extrapolated to {len(paths)} files: {naive * len(paths):.0f} s)")

    from jmer.data import prepare
    config = config_files.load(str(REPO / "configs" / "mtl.py"))
    config.data.root = str(tmp / "data")
    config.data.source = "gtzan"
    config.data.split = "random"  # every clip (the fault-filtered split leaves 70 out)
    config.data.cache_dir = str(tmp / "cache")
    config.features.names = ("mel", "mfcc", "chroma")
    config.tasks.emotion = "none"  # GTZAN alone carries genre only
    start = time.perf_counter()
    prep = prepare.prepare(config)
    ours = (time.perf_counter() - start) / len(paths)
    start = time.perf_counter()
    prepare.prepare(config, progress=False)
    rerun = time.perf_counter() - start
    print(f"\njmer prepare: {ours * 1000:.1f} ms/file ({ours * len(paths):.0f} s for "
          f"{prep.built} files, {config.features.workers} workers); rerun: {rerun:.2f} s")
    print(f"speed-up: {naive / ours:.1f}x (target >= 10x)")


if __name__ == "__main__":
  main()
