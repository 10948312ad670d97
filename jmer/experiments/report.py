"""REPORT.md of a suite root, written like a short paper from the run dirs alone.

Data and method come from the runs' configs and data descriptions; results are means ± 95% t
intervals over repeats; every comparison the suite asks is a paired test over repeats (Holm-
adjusted across the report) plus a paired per-track test; the conclusion is derived from those
tests, so "no difference found" is written whenever that is what the numbers say.
"""

import math
import pathlib

from jmer import run_record
from jmer.experiments import compare
from jmer.experiments import figures
from jmer.experiments import results
from jmer.experiments import stats

ALPHA = compare.ALPHA
# The config keys the method section describes, for the reference cell and for each difference.
METHOD_KEYS = ("features.names", "model.trunk", "model.fusion", "tasks.genre", "tasks.emotion",
               "train.lambda_emotion", "train.init_from", "train.freeze_transferred")


fmt = compare.fmt


def feature_text(config: dict) -> str:
  """What a flattened config's features.names are, in words."""
  words = {"mel": f"{config.get('features.n_mels')}-band log-mel", "mfcc": "MFCC",
           "chroma": "chroma",
           "musicnn": "frozen MSD-musicnn embeddings (penultimate layer, per 3 s patch)",
           "musicnn_mtt": "frozen MTT-musicnn embeddings (penultimate layer, per 3 s patch)",
           "musicnn_vgg": "frozen MSD-VGG embeddings (pool5 layer, per 3 s patch)",
           "musicnn_vgg_mtt": "frozen MTT-VGG embeddings (pool5 layer, per 3 s patch)"}
  return " + ".join(words.get(name, name) for name in config.get("features.names") or ())


def fmt_p(p) -> str:
  if p is None or math.isnan(p):
    return "–"
  return "<0.001" if p < 0.001 else f"{p:.3f}"


def mean_ci_text(vals) -> str:
  mean, half, n = stats.mean_ci(vals)
  if n == 0:
    return "–"
  return f"{fmt(mean)} ± {fmt(half)}" if n > 1 else fmt(mean)


class Report:
  """Collects the suite's numbers once, then writes the sections of REPORT.md."""

  def __init__(self, root, out_dir, demo_video=""):
    self.root, self.out = pathlib.Path(root), pathlib.Path(out_dir)
    self.record = results.load_suite_record(self.root)
    self.runs = results.load_runs(self.root, self.record)
    self.by = self.record["repeats"]["by"]
    self.cells = [c for c in self.record["cells"] if self.runs[c]]
    self.metrics = results.metrics_of(self.runs)
    self.pooled = {c: results.pooled_predictions(self.runs[c], self.by) for c in self.cells}
    self.demo_video = demo_video
    self.comparisons = compare.compare(self.record, self.runs, self.pooled)

  # --- sections ----------------------------------------------------------------------------
  def reference_config(self) -> dict:
    """The settings most cells share: each key's most common value over the cells."""
    configs = [run_record.flatten(self.runs[c][0].report["config"]) for c in self.cells]
    out = {}
    for key in configs[0]:
      seen = [repr(c.get(key)) for c in configs]
      common = max(set(seen), key=seen.count)
      out[key] = next(c.get(key) for c in configs if repr(c.get(key)) == common)
    return out

  def data_section(self) -> list:
    """One entry per distinct data source among the cells (a suite may mix datasets)."""
    by_source = {}
    for cell in self.cells:
      d = self.runs[cell][0].report["data"]
      by_source.setdefault((d["source"], d["summary"]), []).append(cell)
    lines = ["## Data", ""]
    for (source, summary), cells in by_source.items():
      if len(by_source) > 1:
        lines.append(f"**{source}** (cells {', '.join(f'`{c}`' for c in cells)})")
        lines.append("")
      lines += self._data_lines(cells[0], source, summary) + [""]
    return lines

  def _data_lines(self, cell, source, summary) -> list:
    d = self.runs[cell][0].report["data"]
    lines = [f"- **Source:** {source} — {summary}."]
    if self.by == "seed":
      t = d["tracks"]
      lines.append(f"- **Split:** one fixed track split (data.split_seed = "
                   f"{self.record['split_seed']}) shared by every run: {t['train']} train / "
                   f"{t['val']} validation / {t['test']} test tracks. Repeats vary only the "
                   "seed of the initial weights, segment draws and augmentation.")
    else:
      tests = sum(r.report["data"]["tracks"]["test"] for r in self.runs[cell])
      grouped = any(per["grouped"] for per in d["split"]["per_dataset"].values())
      unit = "by group where the data gives groups" if grouped else "by track"
      lines.append(f"- **Split:** {self.record['repeats']['n']}-fold cross-validation {unit} "
                   f"(seeded, stratified; data.split_seed = {self.record['split_seed']}): "
                   f"every track is tested once, {tests} test "
                   f"tracks over the folds of `{cell}`; each fold's validation set comes from the "
                   "other folds." + (" No group is on both sides of a fold." if grouped else ""))
    for name, per in d.get("per_dataset", {}).items():
      counts = ", ".join(f"{s} {v['tracks']}" for s, v in per.items())
      lines.append(f"- **{name}** tracks per split (first fold or seed): {counts}.")
    genre_counts = d.get("genre_counts", {}).get("test")
    if genre_counts and any(genre_counts.values()):
      lines.append("- **Test tracks per genre** (first fold or seed): " + ", ".join(
          f"{g} {n}" for g, n in genre_counts.items()) + ".")
    return lines

  def method_section(self) -> list:
    ref = self.reference_config()
    f = lambda key: ref.get(key)  # noqa: E731
    n = self.record["repeats"]["n"]
    lines = [
        "## Method", "",
        f"Each cell below is a jmer config; each was run {n} times "
        f"({'seeds 0…' + str(n - 1) if self.by == 'seed' else str(n) + ' folds'}), each run in "
        f"its own work dir under `{self.root}`. Shared settings (from the runs' configs): "
        f"{f('data.segment_seconds'):g} s segments, features {feature_text(ref)} (other "
        f"features where listed), {f('train.epochs')} epochs of batch "
        f"{f('train.batch_size')}, AdamW at {f('train.learning_rate'):g} with warm-up and cosine "
        f"decay, emotion task `{f('tasks.emotion')}`, segment predictions averaged per track.",
        "", "| cell | what | config | differs from the shared settings |", "|---|---|---|---|"]
    for cell in self.cells:
      config = run_record.flatten(self.runs[cell][0].report["config"])
      differ = [f"{k}={config.get(k)!r}" for k in METHOD_KEYS
                if config.get(k) != ref.get(k) and k != "train.init_from"]
      if config.get("train.init_from"):
        differ.append(f"init_from={self.record['cells'][cell].get('init_from')}")
      spec = self.record["cells"][cell]
      lines.append(f"| `{cell}` | {spec.get('label', '')} | `{spec['config']}` | "
                   f"{', '.join(differ) or '–'} |")
    lines += ["", self.selection_text(), ""]
    return lines

  def selection_text(self) -> str:
    runs = [r for c in self.cells for r in self.runs[c]]
    select = {r.report.get("training", {}).get("select_on", "val_loss") for r in runs}
    early = [f"{r.cell}/{r.repeat}" for r in runs
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

  def results_section(self) -> list:
    lines = ["## Results", "",
             f"Mean ± 95% confidence half-width (t over {self.record['repeats']['n']} "
             "repeats) on the test tracks.", ""]
    for task, title in results.TASK_TITLES.items():
      metrics = [m for m in self.metrics if m.task == task]
      cells = [c for c in self.cells if any(r.value(metrics[0]) is not None
                                            for r in self.runs[c])] if metrics else []
      if not cells:
        continue
      lines += [f"### {title}", "", "| cell | " + " | ".join(m.label for m in metrics) + " |",
                "|---|" + "---|" * len(metrics)]
      for cell in cells:
        lines.append(f"| `{cell}` | " + " | ".join(
            mean_ci_text(list(results.values(self.runs[cell], m).values()))
            for m in metrics) + " |")
      lines.append("")
      lines += self._task_figure(task, cells)
    return lines

  def _task_figure(self, task, cells) -> list:
    fig_dir = self.out / "figures"
    if task in ("genre", "quadrant"):
      names = (self.runs[cells[0]][0].report["data"]["genre_names"] if task == "genre"
               else figures.QUADRANT_NAMES)
      path = fig_dir / f"confusion_{task}.png"
      figures.confusion_grid({c: self.pooled[c] for c in cells}, task, names, path)
      what = "majority vote over seeds" if self.by == "seed" else "all folds"
      return [f"![{task} confusion matrices](figures/{path.name})", "",
              f"*Confusion matrices of each cell's per-track predictions ({what}; rows: true).*",
              ""]
    path = fig_dir / "av_scatter.png"
    figures.av_scatter({c: self.pooled[c] for c in cells}, path)
    return [f"![AV scatter](figures/{path.name})", "",
            "*True vs predicted arousal (red) and valence (blue) per test track.*", ""]

  def comparisons_section(self) -> list:
    family = sum(1 for r in self.comparisons if math.isfinite(r["test"]["t_p"]))
    lines = [
        "## Comparisons", "",
        f"For each pair the suite asks about, A − B per repeat (paired by "
        f"{'seed' if self.by == 'seed' else 'fold'}) on the headline metrics both cells report: "
        "mean difference ± 95% CI, the paired t-test (primary), the Wilcoxon signed-rank test "
        "(a check; with 3 repeats it cannot go below p = 0.25), Cohen's d_z, and a per-track "
        "test on the cells' pooled test predictions (McNemar's exact test on right/wrong for "
        "genre and quadrant, a paired bootstrap of the CCC difference over tracks for arousal "
        f"and valence). **Multiplicity:** Holm's method over all {family} paired t-tests in this "
        "report (one family), and separately over the per-track tests; a verdict needs a Holm-"
        f"adjusted t p < {ALPHA}.", ""]
    for number, experiment in enumerate(self.record["experiments"], 1):
      rows = [r for r in self.comparisons if r["experiment"] == number]
      lines += [f"### Experiment {number}: {experiment['title']}", "",
                f"*{experiment.get('question', '')}*", ""]
      if not rows:
        lines += ["Not enough finished repeats to compare yet.", ""]
        continue
      lines += ["| A vs B | metric | A | B | A − B [95% CI] | t p | Holm p | Wilcoxon p | d_z | "
                "per-track test | per-track p (Holm) | verdict |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|"]
      for r in rows:
        t, track = r["test"], r["track"]
        lines.append(
            f"| `{r['a']}` vs `{r['b']}` | {r['metric'].label} | {fmt(t['mean_a'])} | "
            f"{fmt(t['mean_b'])} | {fmt(t['diff'])} [{fmt(t['diff'] - t['ci'])}, "
            f"{fmt(t['diff'] + t['ci'])}] | {fmt_p(t['t_p'])} | {fmt_p(r['holm_p'])} | "
            f"{fmt_p(t['wilcoxon_p'])} | {fmt(t['dz'], 2)} | {track['text'] if track else '–'} | "
            f"{fmt_p(track['p']) + ' (' + fmt_p(r['track_holm_p']) + ')' if track else '–'} | "
            f"{compare.verdict(r)} |")
      lines += [""] + [f"- {self.sentence(r)}" for r in rows] + [""]
      path = self.out / "figures" / f"experiment_{number}.png"
      cells = list(dict.fromkeys(c for pair in experiment["pairs"] for c in pair))
      labels = [m for m in results.HEADLINE
                if any(results.values(self.runs[c], results.BY_LABEL[m]) for c in cells)]
      figures.experiment_bars(self.runs, cells, labels, path, experiment["title"])
      lines += [f"![experiment {number}](figures/{path.name})", "",
                "*Mean per cell with 95% CI whiskers; dots are the single repeats.*", ""]
    return lines

  def sentence(self, row) -> str:
    t, m = row["test"], row["metric"]
    verdict = compare.verdict(row)
    head = (f"On {m.label}, `{row['a']}` scores {fmt(t['mean_a'])} and `{row['b']}` "
            f"{fmt(t['mean_b'])} (difference {fmt(t['diff'])}, 95% CI ±{fmt(t['ci'])}, "
            f"d_z = {fmt(t['dz'], 2)}; paired t p = {fmt_p(t['t_p'])}, Holm-adjusted "
            f"{fmt_p(row['holm_p'])}): ")
    head += ("no difference found" if verdict == "no difference found"
             else f"`{row['a']}` is {verdict}")
    track = row["track"]
    if track:
      head += (f"; per track, {track['text']}, p = {fmt_p(track['p'])} (Holm "
               f"{fmt_p(row['track_holm_p'])})")
    return head + "."

  def figures_section(self) -> list:
    fig_dir = self.out / "figures"
    lines = ["## Training curves and fusion gates", ""]
    figures.learning_curves(self.runs, fig_dir / "learning_curves.png")
    lines += ["![learning curves](figures/learning_curves.png)", "",
              "*Training (orange) and validation (blue) loss per epoch, one line per repeat; the "
              "grey line marks the evaluated epoch.*", ""]
    if figures.gate_weights(self.runs, fig_dir / "fusion_gates.png"):
      lines += ["![fusion gates](figures/fusion_gates.png)", "",
                "*Gated fusion: the mean weight each task gives each feature branch (metrics.json "
                "`fusion_gates`, mean over repeats).*", ""]
    lines += [f"TensorBoard: `tensorboard --logdir {self.root}` shows every run's curves side by "
              "side.", ""]
    return lines

  def conclusion_section(self) -> list:
    """The research question, answered from experiment 1's verdicts, then the others."""
    d = self.runs[self.cells[0]][0].report["data"]
    lines = ["## Conclusion", "",
             f"*Does multi-task learning with late fusion improve genre classification and "
             f"emotion recognition over single-task baselines?* On "
             f"{self.record.get('description') or d['source']}:", ""]
    lines += self.answer() + [""]
    for number, experiment in enumerate(self.record["experiments"], 1):
      rows = [r for r in self.comparisons if r["experiment"] == number]
      if not rows:
        lines.append(f"- **{experiment['title']}:** not enough finished repeats to say.")
        continue
      found = [r for r in rows if compare.verdict(r) != "no difference found"]
      if not found:
        lines.append(f"- **{experiment['title']}:** no difference found in any of the "
                     f"{len(rows)} comparisons (smallest Holm-adjusted p = "
                     f"{fmt_p(min(r['holm_p'] for r in rows))}).")
        continue
      parts = [f"`{r['a']}` is {compare.verdict(r)} than `{r['b']}` on {r['metric'].label} "
               f"({fmt(r['test']['diff'])}, Holm p = {fmt_p(r['holm_p'])})" for r in found]
      lines.append(f"- **{experiment['title']}:** " + "; ".join(parts) + f"; no difference "
                   f"found in the other {len(rows) - len(found)} comparison(s).")
    lines += ["", f"With {self.record['repeats']['n']} repeats per cell and this test set, "
              "\"no difference found\" means the difference, if any, is smaller than these "
              "repeats can resolve; it is not evidence of equality.", ""]
    return lines

  def answer(self) -> list:
    """The research question per task (and the datasets carrying its labels), from the first
    experiment's joint-vs-single-task comparisons."""
    rows = [r for r in self.comparisons if r["experiment"] == 1]
    out = []
    for name, tasks in (("genre", ("genre",)), ("emotion", ("quadrant", "emotion_av"))):
      own = [r for r in rows if r["metric"].task in tasks]
      if not own:
        continue
      datasets = sorted({ds for r in own for run in self.runs[r["b"]]
                         for ds, m in run.report.get("per_dataset", {}).items()
                         if any(t in m for t in tasks)})
      where = f" ({', '.join(datasets)})" if datasets else ""
      better = [r for r in own if compare.verdict(r) == "better"]
      worse = [r for r in own if compare.verdict(r) == "worse"]
      if not better and not worse:
        text = (f"no difference found between joint and single-task training in any of "
                f"{len(own)} comparisons (smallest Holm-adjusted p = "
                f"{fmt_p(min(r['holm_p'] for r in own))})")
      else:
        said = lambda rs, word: "; ".join(  # noqa: E731
            f"`{r['a']}` {word} on {r['metric'].label} ({fmt(r['test']['diff'])}, Holm p = "
            f"{fmt_p(r['holm_p'])})" for r in rs)
        text = "; ".join(filter(None, [said(better, "is better"), said(worse, "is worse")]))
        text += f"; no difference found in the other {len(own) - len(better) - len(worse)}"
      out.append(f"- **{name.capitalize()}{where}:** {text}.")
    return out or ["The suite has no single- vs multi-task comparison with enough repeats."]

  def appendix(self) -> list:
    timings_path = self.root / "timings.json"
    timings = results.json.loads(timings_path.read_text()) if timings_path.exists() else {}
    labels = [m.label for m in self.metrics]
    lines = ["## Appendix: every run", "",
             "Each number in this report is computed from these runs' `metrics.json` files "
             "(and `test_predictions.csv` for the per-track tests).", "",
             "| run | best / total epochs | wall s | " + " | ".join(labels) + " |",
             "|---|---|---|" + "---|" * len(labels)]
    for cell in self.cells:
      for run in self.runs[cell]:
        tr = run.report["training"]
        lines.append(f"| `{cell}/{run.repeat}` | {tr['best_epoch']} / {tr['epochs_done']} | "
                     f"{_wall_time(run, timings)} | " + " | ".join(
                         fmt(run.value(results.BY_LABEL[m])) for m in labels) + " |")
    versions = self.runs[self.cells[0]][0].report.get("versions", {})
    lines += ["", "**Package versions** (first run): " + ", ".join(
        f"{k} {v}" for k, v in versions.items()) + ".", "",
        f"**Suite:** `{self.record['file']}`, run as `{self.record['command']}`"
        + (" (the --quick version)" if self.record["quick"] else "") + ". Each run's full "
        "resolved config is in its `config.json` and `metrics.json`.", ""]
    return lines

  def markdown(self) -> str:
    record = self.record
    missing = [f"{c}" for c in record["cells"] if len(self.runs[c]) < record["repeats"]["n"]]
    lines = [f"# Multi-task genre and emotion recognition: {record['name']} suite", "",
             f"*Generated by `python -m jmer.experiments {record['file']} --report-only` from the "
             f"run dirs under `{self.root}`; do not edit by hand.*", ""]
    if missing:
      lines += [f"**Incomplete:** cells with unfinished repeats: {', '.join(missing)}.", ""]
    if record.get("description"):
      lines += [f"Data: {record['description']}.", ""]
    if self.demo_video:
      lines += [f"A recording of the web demo on one of these models: [{self.demo_video}]"
                f"({self.demo_video}).", ""]
    for section in (self.data_section, self.method_section, self.results_section,
                    self.comparisons_section, self.figures_section, self.conclusion_section,
                    self.appendix):
      lines += section()
    return "\n".join(lines)


def _wall_time(run, timings) -> str:
  """The run's wall seconds: its own wall_time.json, else the root's timings.json, else –."""
  path = run.dir / "wall_time.json"
  if path.exists():
    return str(results.json.loads(path.read_text())["seconds"])
  return str(timings.get(f"{run.cell}/{run.repeat}", "–"))


def write_report(root, out_dir=None, demo_video="") -> pathlib.Path:
  """Writes REPORT.md and figures/ into out_dir (default: the suite root); returns the path."""
  out = pathlib.Path(out_dir or root)
  (out / "figures").mkdir(parents=True, exist_ok=True)
  report = Report(root, out, demo_video=demo_video)
  if not report.cells:
    raise FileNotFoundError(f"{root}: no finished run (metrics.json) to report on yet")
  path = out / "REPORT.md"
  path.write_text(report.markdown())
  return path
