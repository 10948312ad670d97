r"""Where the shipped model's prediction time goes: stage by stage on real songs, and in a
fresh process's first prediction.

  python benchmarks/predict_profile.py [--n=10]

- **stages** (one process, after a warm-up song; seconds summed over `--n` 30 s 4Q songs):
  decoding and resampling (jmer.inference.decode), musicnn's log-mel (once, as the fast path
  computes it; the generic path computed it once per network), cutting patches, the networks
  (both, one compiled call per song: musicnn_engine), and what follows (per-frame features,
  segments, heads, arousal/valence regressor, tags, summary: predict.predict_prepared). Then,
  interleaved song by song, the whole fast path against the generic path every other model
  takes (each feature on its own: a log-mel and network calls per network, per-frame tags,
  Keras' heads).
- **first prediction** (fresh processes, warm cache): importing jmer.inference.api, loading
  the model (lazily), getting the two exported programs, the first and a second prediction.
Writes benchmarks/results/predict_profile.json.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _stages(songs) -> dict:
  from jmer.data import musicnn_input
  from jmer.inference import compilation_cache
  from jmer.inference import exported
  from jmer.inference import musicnn_engine
  from jmer.inference import predict
  from jmer.inference import streamed_features
  from jmer.inference import shipped
  from jmer.inference.decode import decoded_blocks
  from jmer.models import model_file
  compilation_cache.enable()
  path = shipped.shipped_model_path("real-music")
  fast = exported.load_bundle(path)
  generic = model_file.load_model_bundle(path)
  generic.derived["engine"] = None
  engine = predict.engine_of(fast)
  for bundle in (fast, generic):
    predict.predict_file(bundle, songs[0])
  t = dict(decode_and_resample=0.0, log_mel=0.0, patches=0.0, networks=0.0,
           heads_and_summary=0.0, fast_path_total=0.0, generic_path_total=0.0)
  audio = 0.0
  for song in songs[1:]:
    start = time.perf_counter()
    wave = streamed_features.whole_wave(decoded_blocks(song, 16000), 16000)
    t["decode_and_resample"] += (mark := time.perf_counter()) - start
    log_mel = musicnn_input.log_mel(wave)
    t["log_mel"] += (mark2 := time.perf_counter()) - mark
    starts = musicnn_input.patch_starts(len(log_mel), hop_frames=engine.patch_hop, flush_end=True)
    patches = musicnn_input.patches(log_mel, hop_frames=engine.patch_hop, flush_end=True)
    prepared = musicnn_engine.Prepared(len(wave), len(log_mel), starts, patches)
    t["patches"] += (mark3 := time.perf_counter()) - mark2
    embedded = engine.embed(prepared.patches)
    t["networks"] += (mark4 := time.perf_counter()) - mark3
    result = predict.predict_prepared(fast, prepared, embedded)
    t["heads_and_summary"] += time.perf_counter() - mark4
    audio += result["duration_seconds"]
    for key, bundle in (("fast_path_total", fast), ("generic_path_total", generic)):
      start = time.perf_counter()
      predict.predict_file(bundle, song)
      t[key] += time.perf_counter() - start
  return dict(audio_seconds=audio, seconds=t,
              x_real_time={k: audio / v for k, v in t.items() if v > 0})


FIRST = r"""
import json, sys, time
t0 = time.perf_counter()
from jmer.inference import api, predict
t1 = time.perf_counter()
model = api.load_model()
t2 = time.perf_counter()
predict.engine_of(model.bundle).function; predict._heads(model.bundle)
t3 = time.perf_counter()
model.predict(sys.argv[1])
t4 = time.perf_counter()
model.predict(sys.argv[1])
t5 = time.perf_counter()
print(json.dumps(dict(import_api=t1 - t0, load_model=t2 - t1, exported_programs=t3 - t2,
                      first_predict=t4 - t3, second_predict=t5 - t4, total_to_first=t4 - t0,
                      keras_imported="keras" in sys.modules)))
"""


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--songs", default=str(REPO.parent / "shared" / "data" / "4q_dev"))
  parser.add_argument("--n", type=int, default=10)
  parser.add_argument("--rounds", type=int, default=2, help="fresh processes timed")
  args = parser.parse_args()
  from benchmarks import common
  songs = [str(p) for p in sorted(pathlib.Path(args.songs).rglob("*.mp3"))[::7][:args.n + 1]]
  subprocess.run([sys.executable, "-c", FIRST, songs[0]], check=True, capture_output=True,
                 cwd=REPO)  # the exported programs and XLA's cache, warm
  first = [json.loads(subprocess.run([sys.executable, "-c", FIRST, songs[0]], check=True,
                                     capture_output=True, text=True, cwd=REPO
                                     ).stdout.strip().splitlines()[-1])
           for _ in range(args.rounds)]
  stages = _stages(songs)
  print(f"stages over {args.n} songs ({stages['audio_seconds']:.0f} s of audio):")
  for k, v in stages["seconds"].items():
    print(f"  {k:<22} {v:7.2f} s  {stages['x_real_time'][k]:8.1f}x real time")
  print("fresh process, warm cache (median of rounds):")
  median = {k: sorted(r[k] for r in first)[len(first) // 2] for k in first[0]}
  for k, v in median.items():
    print(f"  {k:<22} {v if isinstance(v, bool) else round(v, 2)}")
  common.write_json("predict_profile", dict(args=vars(args), stages=stages, first=first,
                                            first_median=median,
                                            load_average=list(__import__("os").getloadavg())))


if __name__ == "__main__":
  main()
