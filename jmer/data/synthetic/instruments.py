"""The built-in corpus's sound sources: wavetable notes, a drum kit, and placing them in time.

jmer.data.synthetic.render arranges these into clips. Times are in seconds, pitches MIDI note
numbers, sample rates in Hz; every random draw comes from the generator passed in, in a fixed
order, so a clip depends on its seed alone.
"""

import numpy as np
import scipy.signal

from jmer.data.synthetic.styles import _DRUM_GAIN, _INST, _T


def _pick(rng, palette):
  """Draws one name from a 'name:weight name:weight' palette."""
  names, weights = zip(*((n, float(w)) for n, w in (p.split(":") for p in palette.split())))
  return names[rng.choice(len(names), p=np.array(weights) / sum(weights))]


def _table(amp):
  """One band-limited waveform cycle with the given harmonic amplitudes, peak 1."""
  spec = np.zeros(_T // 2 + 1, complex)
  spec[1:amp.size + 1] = -1j * amp
  tab = np.fft.irfft(spec, _T)
  return tab / np.abs(tab).max()


def _note(c, inst, midi, seconds):
  """One wavetable note; cached per clip because loops repeat the same notes."""
  n = int(seconds * c["sr"])
  key = (inst, midi, n)
  if key not in c["cache"]:
    tilt, odd, att, dec, sus, pluck, vib, ens, _ = _INST[inst]
    sr, f0 = c["sr"], 440. * 2 ** ((midi - 69) / 12)
    k = np.arange(1, _T // 2)
    audible = k * f0 < .45 * sr  # band-limited: no aliasing
    amp = k ** -tilt / (1 + (k * f0 / c["cut"]) ** 2) * audible * (k % 2 if odd else 1)
    if inst == "organ":  # drawbar registration instead of a smooth tilt
      amp = np.zeros_like(amp)
      amp[[0, 1, 2, 3, 5, 7]] = [1, .7, .5, .4, .25, .2]
    tine = np.zeros_like(amp)
    if inst == "epiano":  # the bell-like tine partials of an electric piano's attack
      tine[[6, 13]] = [.4, .15]
    bright = _table(amp + tine * audible)
    dull = _table(amp * k ** -1.5) if pluck else bright
    t = np.arange(n) / sr
    y = np.zeros(n)
    cents = ens + c["sour"]  # ensemble width plus low-valence sourness, heard as beating
    for cent, w in ((0, 1.), (cents, .6)) if cents > 1 else ((0, 1.),):
      ph = f0 * 2 ** (cent / 1200) * t + w  # w also offsets the detuned voice's phase
      if vib:
        ph += vib * f0 / (2 * np.pi * 5.5) * (1 - np.cos(2 * np.pi * 5.5 * t))
      i = (ph * _T).astype(np.int64) % _T
      y += w * (dull[i] + (bright[i] - dull[i]) * np.exp(-t / pluck) if pluck else bright[i])
    env = np.minimum(1, t / att) * (sus + (1 - sus) * np.exp(-t / dec))
    r = min(n, int(.015 * sr))
    env[n - r:] *= np.linspace(1, 0, r)
    c["cache"][key] = y * env
  return c["cache"][key]


def _kit(rng, sr, kick_decay):
  """One drum kit per clip: a pitch-dropping sine kick, filtered noise bursts for the rest."""
  t = np.arange(int(.8 * sr)) / sr
  noise = rng.standard_normal(t.size)

  def filt(band, kind):
    # Band edges stay below Nyquist (a no-op at 22.05 kHz, so older corpora are unchanged):
    # the 8 kHz snare edge is Nyquist itself at 16 kHz, musicnn's rate.
    band = np.minimum(band, .45 * sr).tolist()
    return scipy.signal.sosfilt(scipy.signal.butter(2, band, kind, fs=sr, output="sos"), noise)

  def decay(tau):
    return np.exp(-t / tau)

  f1, f2, tp = rng.uniform(100, 180), rng.uniform(40, 60), rng.uniform(.02, .05)
  bell = sum(np.sin(2 * np.pi * f * t) for f in rng.uniform(300, 900) * np.array([1, 1.48, 2.13]))
  kit = dict(
      k=np.sin(2 * np.pi * (f2 * t + (f1 - f2) * tp * (1 - decay(tp)))) * decay(
          rng.uniform(*kick_decay)) + .3 * filt([1000, 5000], "bandpass") * decay(.004),
      s=.5 * np.sin(2 * np.pi * rng.uniform(170, 230) * t) * decay(.06)
      + filt([1500, 8000], "bandpass") * decay(rng.uniform(.08, .18)),
      h=filt(7000, "highpass") * decay(rng.uniform(.02, .05)),
      o=filt(6000, "highpass") * decay(rng.uniform(.15, .3)),
      r=(filt(5000, "highpass") + .15 * bell) * decay(.5),
      m=filt([2000, 6000], "bandpass") * decay(.01) + np.sin(2 * np.pi * 480 * t) * decay(.02),
      p=filt([900, 2500], "bandpass") * np.exp(-(t % .011) / .003 - t / .08),  # clap: bursts
      c=filt(4000, "highpass") * decay(.7))
  return {v: x / np.abs(x).max() * _DRUM_GAIN[v] for v, x in kit.items()}


def _place(buf, y, start, sr):
  s = max(0, int(round(start * sr)))
  e = min(buf.size, s + y.size)
  if e > s:
    buf[s:e] += y[:e - s]


def _tile(pattern):
  """Patterns shorter than a bar repeat to fill its 16 steps ('x---' is four quarter notes)."""
  return (pattern * 16)[:16]


def _hits(pattern, grid, bar_len):
  """(step, symbol, duration s) for every onset in a one-bar pattern; '-' extends a note."""
  pattern, ends = _tile(pattern), np.append(grid, bar_len)
  out = []
  for i, ch in enumerate(pattern):
    if ch not in ".-":
      j = i + 1
      while j < len(pattern) and pattern[j] == "-":
        j += 1
      out.append((i, ch, ends[j] - grid[i]))
  return out
