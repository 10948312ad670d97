"""The built-in labelled corpus: deterministic synthetic music clips with genre AND arousal/valence.

jmer must run offline, so it renders its own clips, made to be worth learning from. Genre lives
mostly in temporal structure (tempo, drum pattern, comping and bass rhythm, chord loop); timbre
palettes overlap between genres on purpose, so clip-averaged MFCCs only partly give it away.
Arousal/valence are drawn per clip around genre-dependent means, widely enough that every genre
covers much of the plane, then made audible: arousal sets tempo, note density, brightness and
articulation; valence sets mode, consonance (detuning, clashes) and register. Loudness does not
carry arousal: every clip gets a random mastering gain, independent of its labels, as records do.
"""

import csv
import dataclasses
import json
import os
import pathlib
import shutil
import uuid

import numpy as np
import scipy.signal
import soundfile as sf
from tqdm import tqdm

from jmer.data.synthetic.instruments import _hits, _kit, _note, _pick, _place, _tile
from jmer.data.synthetic.styles import _INST, _Q, _SCALES, _STYLES, _VEL
from jmer.tasks.labels import GTZAN_GENRES

# Bump whenever audio or labels change, so an old corpus on disk is refused instead of mixed in.
# 3: random mastering gain (loudness no longer follows arousal), arousal-driven articulation.
GENERATOR_VERSION = 3
# Mastering: every clip is limited at BASE_LEVEL_DB RMS, then gets a uniform random gain of
# +-MAX_GAIN_DB drawn independently of its labels, as real records are mastered to any level.
BASE_LEVEL_DB = -26.
MAX_GAIN_DB = 10.


def _sample_av(rng, mean, kappa=4.):
  """Genre-conditioned (arousal, valence): a Beta on [-1, 1] per axis, sd ~0.3-0.45."""
  p = (np.asarray(mean) + 1) / 2
  return np.round(2 * rng.beta(kappa * p, kappa * (1 - p)) - 1, 4)


def _master(rng, mix, up, sr, classical, gain_db):
  """Room, tone and noise floor per clip (mostly genre-blind), then a label-blind level.

  Every clip is limited at the same level relative to its RMS, then given its mastering gain,
  so neither loudness nor how hard the limiter works says anything about arousal.
  """
  rt = rng.uniform(1., 2.5) if classical else rng.uniform(.3, 1.5)  # concert halls for classical
  t_ir = np.arange(int(rt * sr)) / sr
  ir = rng.standard_normal(t_ir.size) * np.exp(-6.9 * t_ir / rt)
  wet = scipy.signal.fftconvolve(mix, ir / np.linalg.norm(ir))[:mix.size]
  mix = mix + rng.uniform(.1, .35) * wet
  cut = min(.45 * sr, 2500 * 2 ** (2.5 * up + rng.normal(0, .7)))  # darker when calm, loosely
  mix = scipy.signal.sosfilt(scipy.signal.butter(2, cut, fs=sr, output="sos"), mix)
  for f, kind in ((250, "lowpass"), (3000, "highpass")):  # random shelving EQ hides the genre
    mix += rng.uniform(-.5, 1.) * scipy.signal.sosfilt(
        scipy.signal.butter(1, f, kind, fs=sr, output="sos"), mix)
  mix /= np.sqrt(np.mean(mix ** 2)) + 1e-12
  mix += rng.standard_normal(mix.size) * 10 ** (rng.uniform(-50, -35) / 20)
  # Base level -26 dBFS RMS; a soft knee keeps peaks under a ceiling MAX_GAIN_DB below 0.99, so
  # even the loudest mastering gain stays below full scale.
  mix *= 10 ** (BASE_LEVEL_DB / 20) / np.sqrt(np.mean(mix ** 2))
  ceiling = .99 * 10 ** (-MAX_GAIN_DB / 20)
  knee = ceiling / 2
  over = np.abs(mix) > knee
  excess = np.tanh((np.abs(mix[over]) - knee) / (ceiling - knee))
  mix[over] = np.sign(mix[over]) * (knee + (ceiling - knee) * excess)
  fade = min(mix.size, int(.01 * sr))
  mix[:fade] *= np.linspace(0, 1, fade)
  mix[mix.size - fade:] *= np.linspace(1, 0, fade)
  return mix * 10 ** (gain_db / 20)


@dataclasses.dataclass
class _Arrangement:
  """One clip being rendered: its draws so far and the four instrument buses it fills.

  Times are in seconds, pitches MIDI note numbers; every part draws from the clip's `rng` in a
  fixed order, so a clip depends on its seed alone.
  """
  st: dict  # the genre's style (jmer.data.synthetic.styles)
  rng: np.random.Generator
  sr: int  # Hz
  a: float  # arousal on [-1, 1]
  up: float  # arousal on [0, 1]
  v: float  # valence on [-1, 1]
  minor: int  # 1: the minor-mode progression and scale
  key: int  # pitch class of the key
  reg: int  # register offset in semitones, rising with valence
  grid: np.ndarray  # onset of each 16th of a bar, seconds from the bar's start
  bar: float  # seconds
  nbars: int
  chords: list  # (root degree, quality) per bar, one more than nbars
  gate: float  # fraction of a note's length it sounds (articulation)
  human: float  # onset jitter, seconds (standard deviation)
  synth: dict  # _note's settings and cache
  inst: dict  # part -> instrument name
  bus: dict  # part -> float64 samples

  def dense(self, options):
    """Arousal picks how busy a part is, with some slack."""
    return options[int(np.clip(round(self.up * (len(options) - 1) + self.rng.normal(0, .5)), 0,
                               len(options) - 1))]

  def put(self, part, y, t):
    """Adds `y` to `part`'s bus at `t` seconds, jittered like a player."""
    _place(self.bus[part], y, t + self.rng.normal(0, self.human), self.sr)


def render_clip(genre, rng, seconds, sr):
  """Renders one clip of `genre` with labels drawn around the genre's emotion.

  Args:
    genre: a GTZAN genre name (a key of the style tables).
    rng: the clip's numpy Generator; the clip depends on its state alone.
    seconds: the clip's length in seconds.
    sr: the sample rate in Hz.

  Returns:
    (mono float64 audio of round(seconds * sr) samples with peak <= 0.99, arousal, valence);
    arousal and valence are floats in [-1, 1].
  """
  st = _STYLES[genre]
  # The mastering gain comes from a child stream: independent of the labels, and adding it left
  # every other draw of the clip unchanged.
  gain_db = rng.spawn(1)[0].uniform(-MAX_GAIN_DB, MAX_GAIN_DB)
  a, v = _sample_av(rng, st["av"])
  clip = _arrange(st, rng, seconds, sr, a, v)
  _drums(clip)
  _comp(clip)
  _bass(clip)
  _lead(clip)
  return _master(rng, _mix(clip), clip.up, sr, genre == "classical", gain_db), float(a), float(v)


def _arrange(st, rng, seconds, sr, a, v) -> _Arrangement:
  """Draws the clip's tempo, groove, key, progression, timbre and articulation."""
  up = (a + 1) / 2  # arousal on [0, 1]
  bpm = np.interp(np.clip(.75 * up + .25 * rng.random(), 0, 1), [0, 1], st["bpm"])
  beat, bar = 60 / bpm, 240 / bpm
  swing = st.get("swing", (.5, .5, 8))
  sw, i = rng.uniform(*swing[:2]), np.arange(16)
  grid = beat * ((i // 4 + np.array([0, sw / 2, sw, sw + (1 - sw) / 2])[i % 4]) if swing[2] == 8
                 else (i // 2 * .5 + np.where(i % 2, sw * .5, 0)))
  minor = int(rng.random() > 1 / (1 + np.exp(-6 * v)))  # mode follows valence, loosely
  prog = [(int(r), q) for r, q in (ch.split(":") for ch in rng.choice(st["prog"][minor]).split())]
  key, reg = int(rng.integers(12)), int(round(6 * np.clip(v + rng.normal(0, .35), -1, 1)))
  synth = dict(sr=sr, cache={}, sour=max(0., -v) * 18,  # low valence: detuned, beating voices
               cut=1200 * 2 ** (3.3 * up + rng.normal(0, .5)))  # brightness follows arousal
  n, human = int(round(seconds * sr)), rng.uniform(.003, .012)
  # Articulation follows arousal: notes held legato when calm, cut short (detached) when energetic.
  gate = np.clip(1.15 - .8 * up + rng.normal(0, .1), .35, 1.)
  bus = {p: np.zeros(n) for p in ("drums", "bass", "comp", "lead")}
  inst = {p: _pick(rng, pal) for p, pal in zip(("comp", "bass", "lead"), st["pal"])}
  nbars, start = int(np.ceil(seconds / bar)), int(rng.integers(len(prog)))
  chords = [prog[(b + start) % len(prog)] for b in range(nbars + 1)]
  return _Arrangement(st=st, rng=rng, sr=sr, a=a, up=up, v=v, minor=minor, key=key, reg=reg,
                      grid=grid, bar=bar, nbars=nbars, chords=chords, gate=gate, human=human,
                      synth=synth, inst=inst, bus=bus)


def _drums(clip: _Arrangement):
  """Drums: arousal thins hats/ride to quarters or fills 8th patterns up to 16ths."""
  st, rng = clip.st, clip.rng
  pats = st["drums"][rng.integers(len(st["drums"]))] if st["drums"] else {}
  drums = {voice: _tile(pat) for voice, pat in pats.items()}
  hats = clip.dense([0, 1, 2])
  for voice in set(drums) & {"h", "r"}:
    if hats == 0:
      drums[voice] = "".join(ch if j % 4 == 0 else "." for j, ch in enumerate(drums[voice]))
    elif hats == 2 and drums[voice].count(".") <= 8:
      drums[voice] = drums[voice].replace(".", "g")
  kit = _kit(rng, clip.sr, st["kick"]) if drums else {}
  for b in range(clip.nbars):
    for voice, pat in drums.items():
      for j, ch in enumerate(pat):
        if ch != "." and (ch != "?" or rng.random() < .35):
          clip.put("drums", kit[voice] * _VEL[ch] * (1 + rng.normal(0, .08)),
                   b * clip.bar + clip.grid[j])
    if drums and b % 4 == 0 and clip.a > 0 and "c" not in drums:
      clip.put("drums", kit["c"], b * clip.bar)


def _comp(clip: _Arrangement):
  """Chords: close root-position voicings in a valence-dependent register."""
  rng, grid, bar, v = clip.rng, clip.grid, clip.bar, clip.v
  comp, strum, arp = (_hits(clip.dense(clip.st["comp"]), grid, bar),
                      clip.inst["comp"] in ("guitar", "twang"), 0)
  for b in range(clip.nbars):
    root, q = clip.chords[b]
    center = 57 + clip.reg - (12 if q == "5" else 0)  # power chords sit low
    notes = [center - 6 + (clip.key + root - center + 6) % 12 + iv for iv in _Q[q]]
    if rng.random() < max(0., -v) * .7:  # low valence: a clashing b9 / tritone / b2
      notes.append(notes[0] + int(rng.choice([1, 6, 13])))
    for j, ch, dur in comp:
      if ch == "?" and rng.random() > .45:
        continue
      play = [notes[arp % len(notes)]] if ch == "a" else notes
      arp += ch == "a"
      vel = _VEL.get(ch, .7) * (1 + rng.normal(0, .08)) / np.sqrt(len(play))
      for m_i, m in enumerate(play):
        clip.put("comp", vel * _note(clip.synth, clip.inst["comp"], m, dur * clip.gate),
                 b * bar + grid[j] + m_i * .012 * strum)


def _bass(clip: _Arrangement):
  """Bass: chord tones by letter, in the A1..G#2 octave."""
  bass = _hits(clip.dense(clip.st["bass"]), clip.grid, clip.bar)
  for b in range(clip.nbars):
    (root, q), nxt = clip.chords[b], clip.chords[b + 1][0]
    r, ivs = 33 + (clip.key + root - 33) % 12, _Q[q]
    third = ivs[1] if ivs[1] < 5 else 3 + (not clip.minor)  # a power chord takes the mode's third
    tones = {"R": 0, "O": 12, "3": third, "5": 7, "6": 5 + third, "7": (ivs + (10,))[3],
             "A": 32 + (clip.key + nxt - 33) % 12 - r}
    for j, ch, dur in bass:
      clip.put("bass", _VEL[ch] * _note(clip.synth, clip.inst["bass"], r + tones[ch],
                                        dur * clip.gate), b * clip.bar + clip.grid[j])


def _lead(clip: _Arrangement):
  """Lead: a two-bar motif on scale degrees relative to each chord's root, varied every 4 bars."""
  st, rng, grid, bar = clip.st, clip.rng, clip.grid, clip.bar
  if not rng.random() < st["lead"]:
    return
  scale = _SCALES[st.get("scale", ("major", "minor"))[clip.minor]]
  step = clip.dense([4, 2, 1])
  onsets = [s for s in range(0, 32, step) if rng.random() < .75] or [0]
  degs = np.cumsum(rng.choice([-2, -1, -1, 0, 1, 1, 2, 3, -3], len(onsets)))
  times = [s // 16 * bar + grid[s % 16] for s in onsets] + [2 * bar]
  tonic = 66 + clip.reg + (clip.key - 66 - clip.reg) % 12  # a register that rises with valence
  for b in range(0, clip.nbars, 2):
    if b % 4 == 0 and rng.random() < .5:
      degs = degs + rng.choice([-1, 0, 0, 1], len(degs))
    if (b // 4) % 3 == 2 and rng.random() < .6:
      continue  # leave some phrases to the backing, like a real loop
    for s, d, t0, t1 in zip(onsets, degs, times[:-1], times[1:]):
      deg = int(np.argmin(np.abs(np.array(scale) - clip.chords[b + s // 16][0] % 12))) + int(d)
      m = tonic + 12 * (deg // len(scale)) + scale[deg % len(scale)]
      m += int(rng.random() < max(0., -clip.v) * .25)  # low valence: chromatic rubs
      clip.put("lead", (.7 + .3 * rng.random()) * _note(clip.synth, clip.inst["lead"], m,
                                                       (t1 - t0) * clip.gate), b * bar + t0)


def _mix(clip: _Arrangement) -> np.ndarray:
  """Unit-RMS buses at random levels, none tied to the labels; distortion where needed."""
  rng, sr = clip.rng, clip.sr
  mix = np.zeros(len(clip.bus["drums"]))
  gains = dict(drums=rng.normal(0, 3), bass=rng.normal(-2, 3.5), comp=rng.normal(-3, 3.5),
               lead=rng.normal(-3, 3.5))
  for p, x in clip.bus.items():
    drive = _INST[clip.inst[p]][8] if p in clip.inst else 0
    if drive and np.abs(x).max() > 0:  # amp-style saturation, then a speaker-cabinet roll-off
      x = np.tanh(drive * x / np.abs(x).max())
      x = scipy.signal.sosfilt(scipy.signal.butter(2, 4500, fs=sr, output="sos"), x)
    if np.any(x):
      mix += x / np.sqrt(np.mean(x ** 2)) * 10 ** (gains[p] / 20)
  return mix


def _read_params(folder):
  try:
    return json.loads((folder / "params.json").read_text())
  except FileNotFoundError:
    return None
  except (ValueError, OSError):
    return {"unreadable": str(folder / "params.json")}


def generate_corpus(out_dir, *, clips_per_genre: int, clip_seconds: float, sample_rate: int = 22050,
                    seed: int = 0, progress: bool = True) -> pathlib.Path:
  """Writes <out_dir>/<genre>/<genre>.<NNNNN>.wav files and <out_dir>/metadata.csv; returns the
  CSV path.

  Idempotent: a finished corpus with the same parameters is returned untouched; a folder holding
  anything else raises ValueError rather than being overwritten. Clips are written to a hidden
  sibling folder renamed into place at the end, so an interrupted run leaves no half corpus.
  Clip (seed, genre g, index i) uses np.random.default_rng([seed, g, i]): same seed, same bytes.

  Args:
    out_dir: the corpus folder.
    clips_per_genre: clips of each genre.
    clip_seconds: each clip's length, in seconds.
    sample_rate: the clips' sample rate, in Hz.
    seed: the corpus seed.
    progress: show a progress bar.

  Returns:
    The path of metadata.csv.

  Raises:
    ValueError: out_dir holds something other than this corpus.
  """
  out_dir = pathlib.Path(out_dir)
  if clips_per_genre < 1 or clip_seconds <= 0 or sample_rate < 8000:
    raise ValueError(f"cannot generate {out_dir}: need clips_per_genre >= 1, clip_seconds > 0 and "
                     "sample_rate >= 8000")
  params = dict(generator_version=GENERATOR_VERSION, clips_per_genre=int(clips_per_genre),
                clip_seconds=float(clip_seconds), sample_rate=int(sample_rate), seed=int(seed))
  csv_path = out_dir / "metadata.csv"
  if _holds_finished_corpus(out_dir, params):
    return csv_path
  out_dir.parent.mkdir(parents=True, exist_ok=True)
  tmp = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
  tmp.mkdir()
  try:
    _write_clips(tmp, clips_per_genre, clip_seconds, sample_rate, seed, progress)
    (tmp / "params.json").write_text(json.dumps(params, indent=2) + "\n")
    try:
      os.replace(tmp, out_dir)  # atomic; fails if out_dir became non-empty in the meantime
    except OSError:
      if _read_params(out_dir) == params and csv_path.exists():
        return csv_path  # a concurrent run finished the same corpus first
      raise
  finally:
    shutil.rmtree(tmp, ignore_errors=True)  # already gone after a successful rename
  return csv_path


def _holds_finished_corpus(out_dir, params) -> bool:
  """True if out_dir is a finished corpus made with `params`; False if it is absent or empty.

  Raises:
    ValueError: out_dir holds another corpus, or anything else.
  """
  existing = _read_params(out_dir) if out_dir.is_dir() else None
  if existing is not None and existing != params:
    raise ValueError(f"{out_dir} already holds a synthetic corpus made with {existing}, not "
                     f"{params}; delete that folder or choose another one.")
  if existing is not None and (out_dir / "metadata.csv").exists():
    return True
  if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
    raise ValueError(f"{out_dir} exists but is not a complete jmer synthetic corpus; refusing to "
                     "write into it. Delete it or choose another folder.")
  return False


def _write_clips(folder, clips_per_genre, clip_seconds, sample_rate, seed, progress):
  """Renders every clip into folder/<genre>/ and lists them in folder/metadata.csv."""
  jobs = [(g, genre, i) for g, genre in enumerate(GTZAN_GENRES) for i in range(clips_per_genre)]
  rows = []
  for g, genre, i in tqdm(jobs, desc="synthetic corpus", unit="clip", disable=not progress):
    audio, a, v = render_clip(genre, np.random.default_rng([seed, g, i]), clip_seconds,
                              sample_rate)
    rel = f"{genre}/{genre}.{i:05d}.wav"
    (folder / genre).mkdir(exist_ok=True)
    sf.write(folder / rel, audio, sample_rate, subtype="PCM_16")
    rows.append((f"synth_{genre}_{i:05d}", rel, genre, f"{a:.4f}", f"{v:.4f}"))
  with open(folder / "metadata.csv", "w", newline="") as f:
    csv.writer(f).writerows([("track_id", "path", "genre", "arousal", "valence")] + rows)
