"""The descriptive sections of a suite report (data, method, package versions), rendered once
from the run dirs' configs and data descriptions.

They hold no statistics: raw_results stores their lines beside the per-fold numbers, so a
report regenerated from the raw file alone says the same about data and method.
"""

from jmer.config import provenance

# The config keys the method section describes, for the reference cell and for each difference.
METHOD_KEYS = ("features.names", "model.trunk", "model.fusion", "tasks.genre", "tasks.emotion",
               "train.lambda_emotion", "train.init_from", "train.freeze_transferred")


def feature_text(config: dict) -> str:
  """What a flattened config's features.names are, in words.

  Args:
    config: a flattened config ({dotted key: value}).

  Returns:
    The features joined by ' + ', e.g. '96-band log-mel + MFCC'.
  """
  words = {"mel": f"{config.get('features.n_mels')}-band log-mel", "mfcc": "MFCC",
           "chroma": "chroma",
           "musicnn": "frozen MSD-musicnn embeddings (penultimate layer, per 3 s patch)",
           "musicnn_mtt": "frozen MTT-musicnn embeddings (penultimate layer, per 3 s patch)",
           "musicnn_vgg": "frozen MSD-VGG embeddings (pool5 layer, per 3 s patch)",
           "musicnn_vgg_mtt": "frozen MTT-VGG embeddings (pool5 layer, per 3 s patch)"}
  return " + ".join(words.get(name, name) for name in config.get("features.names") or ())


def reference_config(runs, cells) -> dict:
  """The settings most cells share: each key's most common value over the cells.

  Args:
    runs: {cell: [Run]} (results.load_runs).
    cells: the cells to consider; each one's first run's config is used.

  Returns:
    A flattened config ({dotted key: value}).
  """
  configs = [provenance.flatten(runs[c][0].report["config"]) for c in cells]
  out = {}
  for key in configs[0]:
    seen = [repr(c.get(key)) for c in configs]
    common = max(set(seen), key=seen.count)
    out[key] = next(c.get(key) for c in configs if repr(c.get(key)) == common)
  return out


def data_section(record, runs, cells) -> list:
  """One entry per distinct data source among the cells (a suite may mix datasets).

  Args:
    record: the suite record (suite.json).
    runs: {cell: [Run]}.
    cells: the cells to describe.

  Returns:
    The '## Data' section's Markdown lines: source, split and track counts.
  """
  by_source = {}
  for cell in cells:
    d = runs[cell][0].report["data"]
    by_source.setdefault((d["source"], d["summary"]), []).append(cell)
  lines = ["## Data", ""]
  for (source, summary), own in by_source.items():
    if len(by_source) > 1:
      lines += [f"**{source}** (cells {', '.join(f'`{c}`' for c in own)})", ""]
    lines += _data_lines(record, runs, own[0], source, summary) + [""]
  return lines


def _data_lines(record, runs, cell, source, summary) -> list:
  d = runs[cell][0].report["data"]
  lines = [f"- **Source:** {source} — {summary}."]
  if record["repeats"]["by"] == "seed":
    t = d["tracks"]
    lines.append(f"- **Split:** one fixed track split (data.split_seed = "
                 f"{record['split_seed']}) shared by every run: {t['train']} train / "
                 f"{t['val']} validation / {t['test']} test tracks. Repeats vary only the "
                 "seed of the initial weights, segment draws and augmentation.")
  else:
    tests = sum(r.report["data"]["tracks"]["test"] for r in runs[cell])
    grouped = any(per["grouped"] for per in d["split"]["per_dataset"].values())
    unit = "by group where the data gives groups" if grouped else "by track"
    val = ("each fold's validation set comes from the other folds" if d["tracks"].get("val")
           else "no validation split: every track outside the test fold trains")
    drawn = d["split"].get("folds")  # how the folds were drawn (runs since the fold pool)
    scheme = (f"seeded, {drawn['text']}, drawn over {' + '.join(drawn['pool'])}" if drawn
              else "seeded, stratified")
    lines.append(f"- **Split:** {record['repeats']['n']}-fold cross-validation {unit} "
                 f"({scheme}; data.split_seed = {record['split_seed']}): "
                 f"every track is tested once, {tests} test "
                 f"tracks over the folds of `{cell}`; {val}."
                 + (" No group is on both sides of a fold." if grouped else ""))
  for name, per in d.get("per_dataset", {}).items():
    counts = ", ".join(f"{s} {v['tracks']}" for s, v in per.items())
    lines.append(f"- **{name}** tracks per split (first fold or seed): {counts}.")
  genre_counts = d.get("genre_counts", {}).get("test")
  if genre_counts and any(genre_counts.values()):
    lines.append("- **Test tracks per genre** (first fold or seed): " + ", ".join(
        f"{g} {n}" for g, n in genre_counts.items()) + ".")
  return lines


def method_section(record, runs, cells, root) -> list:
  """The '## Method' section: the shared settings, a table of how each cell differs from
  them, and the model-selection text.

  Args:
    record: the suite record (suite.json).
    runs: {cell: [Run]}.
    cells: the cells to describe.
    root: the suite root, named as where the runs live.

  Returns:
    The section's Markdown lines.
  """
  ref = reference_config(runs, cells)
  f = ref.get
  n, by = record["repeats"]["n"], record["repeats"]["by"]
  lines = [
      "## Method", "",
      f"Each cell below is a jmer config; each was run {n} times "
      f"({'seeds 0…' + str(n - 1) if by == 'seed' else str(n) + ' folds'}), each run in "
      f"its own work dir under `{root}`. Shared settings (from the runs' configs): "
      f"{f('data.segment_seconds'):g} s segments, features {feature_text(ref)} (other "
      f"features where listed), {f('train.epochs')} epochs of batch "
      f"{f('train.batch_size')}, AdamW at {f('train.learning_rate'):g} with warm-up and cosine "
      f"decay, emotion task `{f('tasks.emotion')}`, segment predictions averaged per track.",
      "", "| cell | what | config | differs from the shared settings |", "|---|---|---|---|"]
  for cell in cells:
    config = provenance.flatten(runs[cell][0].report["config"])
    differ = [f"{k}={config.get(k)!r}" for k in METHOD_KEYS
              if config.get(k) != ref.get(k) and k != "train.init_from"]
    if config.get("train.init_from"):
      differ.append(f"init_from={record['cells'][cell].get('init_from')}")
    spec = record["cells"][cell]
    lines.append(f"| `{cell}` | {spec.get('label', '')} | `{spec['config']}` | "
                 f"{', '.join(differ) or '–'} |")
  lines += ["", selection_text(runs, cells), ""]
  return lines


def selection_text(runs, cells) -> str:
  """How the runs' evaluated epoch was chosen (train.select_on), and which runs stopped early.

  Args:
    runs: {cell: [Run]}.
    cells: the cells to describe.

  Returns:
    One Markdown paragraph.
  """
  every = [r for c in cells for r in runs[c]]
  select = {r.report.get("training", {}).get("select_on", "val_loss") for r in every}
  early = [f"{r.cell}/{r.repeat}" for r in every
           if r.report["training"]["best_epoch"] < r.report["training"]["epochs_done"]]
  if select == {"last"}:
    text = ("**Model selection.** Every run trains a fixed budget of epochs and is evaluated "
            "at its last epoch (`train.select_on='last'`), where the cosine schedule has "
            "decayed the learning rate to 1% of its peak. The default rule, the lowest "
            "*summed* validation loss, weighs each head by its loss scale, so a cell with more "
            "heads is selected (and stopped early) on a different criterion than a single-"
            "task cell; a fixed budget selects every cell the same way and uses no test data.")
  else:
    text = (f"**Model selection:** `train.select_on` = {sorted(select)}; the best epoch of "
            "each run is listed in the appendix.")
  return text + (f" Runs judged before their last epoch: {', '.join(early)}." if early else
                 " No run is judged on an earlier epoch than its last (appendix: best/total "
                 "epochs of every run).")


def footer_lines(record, runs, cells) -> list:
  """Package versions of the first run and how the suite was run.

  Args:
    record: the suite record (suite.json).
    runs: {cell: [Run]}.
    cells: the cells; the first cell's first run gives the versions.

  Returns:
    The footer's Markdown lines.
  """
  versions = runs[cells[0]][0].report.get("versions", {})
  return ["**Package versions** (first run): " + ", ".join(
      f"{k} {v}" for k, v in versions.items()) + ".", "",
      f"**Suite:** `{record['file']}`, run as `{record['command']}`"
      + (" (the --quick version)" if record["quick"] else "") + ". Each run's full "
      "resolved config is in its `config.json` and `metrics.json`.", ""]
