"""Log-mel, MFCC, chroma and pretrained musicnn features, and their on-disk cache.

Each feature is cached in its own folder named by a hash of every parameter that shapes it, so
changing a parameter builds a new cache instead of reusing a stale one, while adding a feature
keeps the others. Features are stored (frames, bins) as float16 .npy files, one per track, all
framed alike (centred STFT, same hop) so one frame index means the same instant in each feature.
"""

import concurrent.futures
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import pathlib
import re

import numpy as np

from jmer.config import names
from jmer.data import audio
from jmer.data import musicnn_features

# Bump when the feature code changes meaning, so old caches are not reused.
FEATURE_VERSION = 1
# Log power of an all-zero frame: what padding a short clip looks like in the log-mel.
LOG_FLOOR_DB = -100.0
# Features computed from one shared STFT (one n_fft); the others come from musicnn_features.
STFT_FEATURES = names.STFT_FEATURES


def pad_frames(name: str, frames, length: int):
  """Pads a feature's frames at the end with what silence looks like in that feature.

  Args:
    name: the feature name (the log-mel pads with its floor, LOG_FLOOR_DB; others with zero).
    frames: (frames, bins) array.
    length: the wanted length in frames.

  Returns:
    (max(frames, length), bins) array in the frames' float dtype (float32 for other dtypes);
    `frames` itself when it is already long enough.
  """
  if len(frames) >= length:
    return frames
  # In the frames' own float dtype: both fill values are exact in float16, as cached.
  dtype = frames.dtype if np.issubdtype(frames.dtype, np.floating) else np.float32
  pad = np.full((length - len(frames), frames.shape[1]),
                LOG_FLOOR_DB if name == "mel" else 0.0, dtype)
  return np.concatenate([frames.astype(dtype, copy=False), pad])


def feature_params(config) -> dict:
  """Returns {feature name: the parameters that determine it} for the config's features."""
  f, sr = config.features, config.data.sample_rate
  stft = dict(version=FEATURE_VERSION, sample_rate=sr, n_fft=f.n_fft, hop_length=f.hop_length)
  mel = dict(stft, n_mels=f.n_mels, fmin=float(f.fmin), fmax=float(f.fmax or sr / 2))
  every = dict(
      mel=mel,
      mfcc=dict(mel, n_mfcc=f.n_mfcc, deltas=bool(f.mfcc_deltas)),
      chroma=dict(stft, kind=f.chroma),
  )
  for name in musicnn_features.NETWORKS:
    if name in config.features.names:
      every[name] = musicnn_features.feature_params(name, config, FEATURE_VERSION)
  return {name: every[name] for name in config.features.names}


def feature_bins(name: str, params: dict) -> int:
  """Returns the width (number of bins) of a feature's frames, given its parameters."""
  if name == "mel":
    return params["n_mels"]
  if name == "mfcc":
    return params["n_mfcc"] * (3 if params["deltas"] else 1)
  if name in musicnn_features.NETWORKS:
    return musicnn_features.feature_bins(params)
  return 12


def cache_key(name: str, params: dict) -> str:
  """Returns "<name>-<12 hex digits>": the feature's cache folder, changing with its params."""
  digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
  return f"{name}-{digest}"


@functools.lru_cache(maxsize=8)
def _mel_filters(sr, n_fft, n_mels, fmin, fmax):
  """librosa's mel filter bank, transposed (bins, mels) and sparse: each filter spans few FFT
  bins, so the product with the power spectrogram is several times cheaper than dense."""
  import librosa
  import scipy.sparse
  return scipy.sparse.csc_matrix(librosa.filters.mel(
      sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax).astype(np.float32).T)


@functools.lru_cache(maxsize=8)
def _chroma_filters(sr, n_fft):
  import librosa
  return np.ascontiguousarray(librosa.filters.chroma(sr=sr, n_fft=n_fft, tuning=0.0).T,
                              dtype=np.float32)


@functools.lru_cache(maxsize=8)
def _window(n_fft):
  import scipy.signal
  return scipy.signal.get_window("hann", n_fft, fftbins=True).astype(np.float32)


def power_spectrogram(wave: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
  """The power spectrogram |STFT|^2, equal to librosa.stft(center=True, zero padding)'s.

  Args:
    wave: mono samples, shape (samples,).
    n_fft: the FFT (and Hann window) size in samples.
    hop: samples between frames.

  Returns:
    float32 (1 + samples // hop, n_fft // 2 + 1) array, time-major.


  Frames time-major in one rfft call: librosa's STFT works in small memory blocks and returns
  a Fortran-ordered (bins, frames) array, which together made it the slowest step of the build.
  """
  import scipy.fft
  padded = np.pad(wave.astype(np.float32, copy=False), n_fft // 2)
  frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
  spectrum = scipy.fft.rfft(frames * _window(n_fft), axis=1)
  return spectrum.real ** 2 + spectrum.imag ** 2


def compute_features(wave: np.ndarray, params: dict, patch_outputs: dict | None = None) -> dict:
  """Computes the features of one mono waveform.

  Args:
    wave: mono float32 samples at the rate in `params` (data.sample_rate, Hz).
    params: {feature name: its parameters} (feature_params).
    patch_outputs: optionally {frozen musicnn feature name: dict}, each dict filled with more
      per-patch outputs of that feature's network (musicnn_features.compute).

  Returns:
    {feature name: float32 (frames, bins) array}, in the order of `params`.

  The musicnn features come from jmer.data.musicnn_features; the others share one STFT (see
  _stft_features). All have one frame per hop of the centred STFT, so their frames align.
  """
  patch_outputs = patch_outputs or {}
  out = {name: musicnn_features.compute(wave, p, patch_outputs.get(name))
         for name, p in params.items() if name in musicnn_features.NETWORKS}
  stft_params = {name: p for name, p in params.items() if name in STFT_FEATURES}
  if stft_params:
    out.update(_stft_features(wave, stft_params))
  return {name: out[name] for name in params}


def _stft_features(wave: np.ndarray, params: dict) -> dict:
  """{name: float32 (frames, bins)} for mel/MFCC/chroma in `params`, sharing one STFT.

  Equal (to float32 rounding) to librosa's melspectrogram / mfcc(S=log-mel) /
  chroma_stft(S=, tuning=0) on librosa.stft, computed time-major with filter banks built once
  per process (faster than librosa's own calls; benchmarks/prepare_speed.py measures it).
  """
  import librosa
  import scipy.fft
  any_params = next(iter(params.values()))
  sr, n_fft, hop = any_params["sample_rate"], any_params["n_fft"], any_params["hop_length"]
  if wave.size < n_fft:  # librosa needs at least one full window
    wave = np.pad(wave, (0, n_fft - wave.size))
  power = power_spectrogram(wave, n_fft, hop)
  out, log_mel = {}, None
  if "mel" in params or "mfcc" in params:
    p = params.get("mel") or params["mfcc"]
    mel = power @ _mel_filters(sr, n_fft, p["n_mels"], p["fmin"], p["fmax"])
    # Absolute dB (ref=1) so a gain change is a constant offset, which augmentation relies on.
    log_mel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    if "mel" in params:
      out["mel"] = log_mel
  if "mfcc" in params:
    p = params["mfcc"]
    # librosa.feature.mfcc(S=log_mel): an orthonormal DCT-II over the mel bands.
    mfcc = scipy.fft.dct(log_mel, axis=1, type=2, norm="ortho")[:, :p["n_mfcc"]]
    if p["deltas"]:
      mfcc = np.concatenate([mfcc, librosa.feature.delta(mfcc, axis=0),
                             librosa.feature.delta(mfcc, order=2, axis=0)], axis=1)
    out["mfcc"] = mfcc
  if "chroma" in params:
    if params["chroma"]["kind"] == "cqt":
      chroma = librosa.feature.chroma_cqt(y=wave, sr=sr, hop_length=hop, tuning=0.0).T
      chroma = chroma[:power.shape[0]]
    else:
      # A fixed tuning skips librosa's pitch-tracking tuning estimate: faster and deterministic.
      chroma = librosa.util.normalize(power @ _chroma_filters(sr, n_fft), norm=np.inf, axis=1)
    out["chroma"] = chroma
  return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in out.items()}


def default_cache_root(config) -> pathlib.Path:
  """Returns config.data.cache_dir, else $JMER_CACHE, else ~/.cache/jmer, as a Path."""
  root = config.data.cache_dir or os.environ.get("JMER_CACHE") or "~/.cache/jmer"
  return pathlib.Path(root).expanduser()


def _safe(name: str) -> str:
  return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def track_cache_path(cache_root, name, params, track) -> pathlib.Path:
  """Returns the .npy file caching feature `name` (with `params`) of `track`."""
  return (pathlib.Path(cache_root) / "features" / cache_key(name, params) / _safe(track.dataset)
          / f"{_safe(track.track_id)}.npy")


def is_cached(track, params: dict, cache_root) -> bool:
  """Returns True when every feature in `params` is already cached for `track`."""
  return all(cache_entry_ok(track_cache_path(cache_root, name, p, track))
             for name, p in params.items())


class CacheError(ValueError):
  """A feature cache entry is unreadable; the message names the file."""


def cache_entry_ok(path) -> bool:
  """Returns True when `path` is a complete .npy file: a valid header, and exactly the bytes it
  announces. Entries are renamed into place whole, so a short or garbled one means outside
  damage (disk error, a copy cut short); reading only the header keeps this check cheap."""
  try:
    with open(path, "rb") as fh:
      read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                     (2, 0): np.lib.format.read_array_header_2_0}[np.lib.format.read_magic(fh)]
      shape, _, dtype = read_header(fh)
      expected = fh.tell() + int(np.prod(shape)) * dtype.itemsize
    return os.path.getsize(path) == expected and len(shape) == 2
  except (OSError, ValueError, EOFError, KeyError):
    return False


def _save_atomic(path: pathlib.Path, array: np.ndarray):
  path.parent.mkdir(parents=True, exist_ok=True)
  tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
  with open(tmp, "wb") as fh:
    np.save(fh, array.astype(np.float16))
  os.replace(tmp, path)  # readers never see a half-written file (a killed build leaves a .tmp)


def _write_text_atomic(path: pathlib.Path, text: str):
  tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
  tmp.write_text(text)
  os.replace(tmp, path)


def _build_one(audio_path: str, targets: dict, params: dict):
  """Decodes one file and writes its missing features; returns an error string or None."""
  try:
    sample_rate = next(iter(params.values()))["sample_rate"]
    wave = audio.load_audio(audio_path, sample_rate)
    features = compute_features(wave, {name: params[name] for name in targets})
  except audio.AudioError as error:
    return error.reason
  except Exception as error:  # a broken file must never end a long cache build
    return f"feature extraction failed: {type(error).__name__}: {error}"
  for name, path in targets.items():
    _save_atomic(pathlib.Path(path), features[name])
  return None


def _one_blas_thread():
  """Worker initializer: the workers already fill the cores, so BLAS threads would only contend
  (idle BLAS threads spin, which halved the build speed on a busy 2-core machine)."""
  import threadpoolctl
  threadpoolctl.threadpool_limits(1)


def build_cache(tracks, params: dict, cache_root, *, workers: int = 2, progress: bool = True):
  """Makes sure every track's features are cached; returns (usable tracks, skipped).

  `skipped` lists (path, reason) for files that could not be decoded. Tracks already cached are
  not touched, so rerunning is cheap (idempotent). Uses `workers` processes for large builds;
  frozen musicnn embeddings are always computed in this process (see musicnn_features).

  Args:
    tracks: the Tracks; params: {feature name: parameters} (feature_params).
    cache_root: the feature cache folder; workers: processes for the build.
    progress: show a progress bar.
  Returns:
    (usable, skipped): the Tracks whose features are all cached, and [(path, reason)].
  """
  in_parent = {name for name, p in params.items() if musicnn_features.is_embedding(p)}
  todo = _missing_entries(tracks, params, cache_root)
  _write_params_files(params, cache_root)
  failed = {}
  if todo:
    from tqdm.auto import tqdm
    bar = tqdm(total=len(todo), desc="features", unit="track", disable=not progress)
    pooled = [(t, {n: x for n, x in m.items() if n not in in_parent}) for t, m in todo]
    pooled = [(t, m) for t, m in pooled if m]
    done = set()
    if workers > 1 and len(pooled) >= 4 * workers:
      done = _build_in_workers(pooled, params, workers, failed, bar)
    _build_rest_here(todo, params, in_parent, done, failed, bar)
    bar.close()
  usable = [t for t in tracks if t.path not in failed]
  return usable, sorted(failed.items())


def _missing_entries(tracks, params: dict, cache_root) -> list:
  """[(track, {feature name: cache file})] for the tracks with a feature not (validly) cached.

  A cache entry that exists but is truncated or corrupt counts as missing, with a warning.
  """
  todo = []
  for track in tracks:
    targets = {name: str(track_cache_path(cache_root, name, p, track))
               for name, p in params.items()}
    missing = {n: t for n, t in targets.items() if not cache_entry_ok(t)}
    for name, target in missing.items():
      if os.path.exists(target):
        logging.warning("Feature cache entry %s is truncated or corrupt; rebuilding it.", target)
    if missing:
      todo.append((track, missing))
  return todo


def _write_params_files(params: dict, cache_root) -> None:
  """Writes each feature's settings as params.json into its cache folder (made if missing)."""
  for name, p in params.items():
    folder = pathlib.Path(cache_root) / "features" / cache_key(name, p)
    folder.mkdir(parents=True, exist_ok=True)
    _write_text_atomic(folder / "params.json", json.dumps(p, indent=1, sort_keys=True))


def _build_in_workers(pooled: list, params: dict, workers: int, failed: dict, bar) -> set:
  """Builds the (track, {name: cache file}) entries of `pooled` in `workers` processes.

  Records each undecodable track's reason in `failed` (path -> reason) and advances `bar`.
  Returns the paths of the tracks the workers handled (none if the workers fail to start).
  """
  done = set()
  # 'spawn' because the caller may already run JAX threads, which fork would copy unsafely.
  ctx = multiprocessing.get_context("spawn")
  try:
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx,
                                                initializer=_one_blas_thread) as pool:
      futures = {pool.submit(_build_one, t.path, m, params): t for t, m in pooled}
      for future in concurrent.futures.as_completed(futures):
        if (reason := future.result()) is not None:
          failed[futures[future].path] = reason
        done.add(futures[future].path)
        bar.update()
  except concurrent.futures.process.BrokenProcessPool:
    # Spawned workers re-import the caller's main script; a script without an
    # `if __name__ == "__main__":` guard breaks them. Finish in this process instead.
    logging.warning("Feature workers failed to start (is your script's entry point under "
                    "`if __name__ == '__main__':`?); continuing in one process.")
  return done


def _build_rest_here(todo: list, params: dict, in_parent: set, done: set, failed: dict,
                     bar) -> None:
  """Builds in this process what the workers left of `todo`: the in-process features
  (`in_parent`) of tracks in `done`, everything of the others; failures go into `failed`."""
  for track, missing in todo:
    if track.path in failed:
      continue
    if track.path in done:  # the pool computed all but the in-process features
      missing = {n: x for n, x in missing.items() if n in in_parent}
      if not missing:
        continue
      bar.total += 1
    if (reason := _build_one(track.path, missing, params)) is not None:
      failed[track.path] = reason
    bar.update()


def load_track_features(track, params: dict, cache_root) -> dict:
  """{name: float16 (frames, bins)} for a cached track, trimmed to a common frame count.

  Kept float16, as cached: converting every split to float32 on load doubled the memory a run
  needs; segments become float32 when a batch is cut (jmer.data.pipeline).

  Args:
    track: the Track; params: {feature name: parameters}; cache_root: the cache folder.
  Returns:
    {name: (frames, bins) float16 array}, every feature cut to the shortest's frame count.
  """
  feats = {name: _load_entry(track_cache_path(cache_root, name, p, track))
           for name, p in params.items()}
  frames = min(v.shape[0] for v in feats.values())
  return {name: v[:frames] for name, v in feats.items()}


def _load_entry(path: pathlib.Path) -> np.ndarray:
  try:
    return np.load(path)
  except (OSError, ValueError, EOFError) as error:  # build_cache checks entries; this is later
    raise CacheError(f"feature cache entry {path} cannot be read ({error}); delete it and "
                     "rerun to rebuild it.") from None
