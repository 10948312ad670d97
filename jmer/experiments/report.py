"""REPORT.md of a suite, written like a short paper from its raw results alone.

`write_report(root, out_dir)` collects the run dirs of a suite root into raw_results.json
(beside REPORT.md) and renders the report from that dict; `render(raw, out_dir)` renders from
a raw-results dict only, which is what experiments/recompute.py checks against every committed
report. Results are mean ± sample SD over repeats; every comparison is a paired test over
repeats (the corrected resampled t-test for folds), Holm-adjusted within its research
question on the primary metric only, plus McNemar once per pair and task on the pooled test
tracks; verdicts follow those tests (jmer.experiments.verdicts).
"""

import math
import pathlib

from jmer.experiments import compare
from jmer.experiments import design as design_text
from jmer.experiments import figures
from jmer.experiments import formatting
from jmer.experiments import per_class
from jmer.experiments import pooled_scores
from jmer.experiments import raw_results
from jmer.experiments import results
from jmer.experiments import significance
from jmer.experiments import verdicts

ALPHA = compare.ALPHA
fmt, fmt_p = formatting.fmt, verdicts.fmt_p


class Report:
  """Computes the suite's comparisons once from raw results, then writes REPORT.md's sections."""

  def __init__(self, raw: dict, out_dir, demo_video: str = "", draw: bool = True):
    self.raw, self.out, self.draw = raw, pathlib.Path(out_dir), draw
    self.suite = raw["suite"]
    self.by = self.suite["repeats"]["by"]
    self.runs = raw_results.runs_by_cell(raw)
    self.cells = list(self.runs)
    self.demo_video = demo_video
    self.rows = compare.repeat_rows(raw)
    self.tracks = compare.track_rows(raw)
    self.pooled = {c: raw_results.pooled_predictions(raw, c) for c in self.cells}

  def _draw(self, name: str, draw) -> str:
    """Calls draw(path of figures/<name>) unless drawing is off; returns name. The Markdown
    never depends on whether a figure was drawn."""
    if self.draw:
      (self.out / "figures").mkdir(parents=True, exist_ok=True)
      draw(self.out / "figures" / name)
    return name

  # --- sections ----------------------------------------------------------------------------
  def statistics_section(self) -> list:
    """Returns the Markdown lines of '## Statistics': design, tests, multiplicity, MDE."""
    split_seeds = raw_results.run_split_seeds(self.raw)
    if self.by == "fold":
      ratios = sorted({f"{compare.test_train_ratio(self.raw, runs, task):.3f}"
                       for runs in self.runs.values() for task in raw_results.TASKS
                       if any(task in r.get("n_test", {}) for r in runs)})
      design = (f"{len(split_seeds)} split seed(s) ({', '.join(map(str, split_seeds))}) × "
                f"{self.suite['repeats']['n']} folds. The folds' training sets overlap, so "
                "A − B per fold are not independent: the primary test is the corrected "
                "resampled t-test (Nadeau & Bengio 2003; Bouckaert & Frank 2004), whose "
                "variance is (1/n + n_test/n_train)·σ² instead of σ²/n, on n − 1 degrees of "
                f"freedom (n_test/n_train here: {', '.join(ratios)}).") + design_text.inits_text(
                    self.suite)
    else:
      design = (f"{self.suite['repeats']['n']} seeds on one fixed split: no data is "
                "resampled, so the t-test over seeds is the plain paired one; it measures "
                "seed-to-seed variation on this one test set, and the per-track McNemar test "
                "speaks to the sampling of test tracks.")
    return [
        "## Statistics", "",
        f"**Design.** {design}", "",
        "**Conventions.** Cells: mean ± SD over repeats (sample SD, n − 1). Differences: "
        "A − B with its 95% confidence interval from the same test (never a bare ±). d_z = "
        "mean difference / SD of the differences (Cohen's d_z), with a 95% CI from the "
        "noncentral t distribution of the test statistic.", "",
        "**Research questions and multiplicity.** Each experiment below is one research "
        "question and one family. The primary metric is macro-F1 (of genre and of quadrant, "
        f"where a pair reports it); a primary difference is stated only if its Holm-adjusted p "
        f"within the question is below {ALPHA}. Accuracy and CCC are secondary: reported with "
        "the same test, unadjusted, outside the family, and no conclusion rests on them. "
        "McNemar's exact test runs once per pair and task on the pooled test predictions, "
        "Holm-adjusted within the question as a separate family.", "",
        "**Minimum detectable effect (MDE).** (t_{1−α/2} + t_{0.8})·SE with the test's "
        "standard error: the difference this design detects with 80% power. For a primary "
        "metric α is 0.05 / m (m = the question's primary tests, the level Holm's first step "
        "needs), for a secondary one 0.05. \"Not detected (MDE x)\" means a true difference "
        "smaller than x could easily go unseen; it is not evidence of equality. An MDE "
        "beyond the metric's range (above 1 for macro-F1) means this design could not have "
        "detected any difference at that level.", "",
        "**Wilcoxon signed-rank** is a check, shown only where it can reject: with n non-zero "
        "differences its smallest two-sided p is 2/2ⁿ (0.0625 for n = 5, 0.25 for n = 3), "
        f"so below n = 6 it is marked n/a.", ""] + design_text.preregistration_lines(self.suite)

  def results_section(self) -> list:
    """Returns the Markdown lines of '## Results': cells' mean ± SD by task, figures."""
    n = {len(runs) for runs in self.runs.values()}
    inits = self.suite.get("inits")
    over = (f"{'/'.join(map(str, sorted(n)))} repeats" if not inits else
            design_text.results_intro(self.runs, len(inits)))
    lines = ["## Results", "",
             f"Mean ± SD (sample SD, n − 1) over {over} on "
             "the test tracks. Cells get no confidence interval: their repeats share training "
             "data (folds) or one test set (seeds), so their spread understates the "
             "uncertainty of a mean; the comparisons below give intervals for differences.",
             ""]
    for task, title in results.task_titles().items():
      labels = [m.label for m in results.report_metrics() if m.task == task
                and any(raw_results.values(runs, m.label) for runs in self.runs.values())]
      cells = [c for c in self.cells if labels and any(raw_results.values(self.runs[c], l)
                                                       for l in labels)]
      if not cells:
        continue
      lines += [f"### {title}", "", "| cell | " + " | ".join(labels) + " |",
                "|---|" + "---|" * len(labels)]
      for cell in cells:
        lines.append(f"| `{cell}` | " + " | ".join(
            design_text.cell_text(self.runs[cell], l, bool(inits)) for l in labels) + " |")
      lines += [""] + self.per_class_lines(task, cells)
      if inits:  # the new protocol's suites: macro-F1 over all classes, folds pooled
        pairs = [p for e in self.suite["experiments"] for p in e["pairs"]]
        lines += pooled_scores.section_lines(self.raw, task, cells, pairs)
        lines += pooled_scores.init_means_lines(self.raw, task, cells)
      lines += self.task_figure(task, cells)
    return lines

  def per_class_lines(self, task, cells) -> list:
    """Per-class F1 (mean over repeats) of each cell, where the raw results hold it.

    Args:
      task: the class task's name.
      cells: the cells to list.

    Returns:
      A Markdown table and a blank line, or [] when no cell has per-class F1.
    """
    have = [c for c in cells if any(task in r.get("per_class_f1", {}) for r in self.runs[c])]
    if not have:
      return []
    classes = list(next(r["per_class_f1"][task] for r in self.runs[have[0]]
                        if task in r.get("per_class_f1", {})))
    lines = [f"Per-class F1 ({task}; mean over repeats):", "",
             "| cell | " + " | ".join(classes) + " |", "|---|" + "---|" * len(classes)]
    for cell in have:
      per = [r["per_class_f1"][task] for r in self.runs[cell] if task in r.get(
          "per_class_f1", {})]
      lines.append(f"| `{cell}` | " + " | ".join(fmt(significance.mean_sd(
          [math.nan if p.get(c) is None else p[c] for p in per])[0]) for c in classes) + " |")
    return lines + [""]

  def task_figure(self, task, cells) -> list:
    """The task's figure (drawn unless drawing is off) with its caption.

    Args:
      task: the task's name.
      cells: the cells to show.

    Returns:
      Markdown lines: summed confusion matrices for a class task, else the arousal/valence
      scatter of pooled predictions; [] when there is nothing to draw.
    """
    if task in raw_results.CLASS_TASKS:
      matrices = {}
      for cell in cells:
        own = [r["confusion"][task] for r in self.runs[cell] if task in r.get("confusion", {})]
        if own:
          total = [[sum(m["matrix"][i][j] for m in own) for j in range(len(own[0]["classes"]))]
                   for i in range(len(own[0]["classes"]))]
          matrices[cell] = (own[0]["classes"], total)
      if not matrices:
        return []
      name = self._draw(f"confusion_{task}.png",
                        lambda path: figures.confusion_grid(matrices, path))
      return [f"![{task} confusion matrices](figures/{name})", "",
              f"*Confusion matrix of each cell ({task}), summed over its repeats (each test "
              f"track once per {self.by}); rows: true class.*", ""]
    pooled = {c: self.pooled[c] for c in cells if self.pooled[c]}
    if not pooled:
      return []
    name = self._draw("av_scatter.png", lambda path: figures.av_scatter(pooled, path))
    return [f"![AV scatter](figures/{name})", "",
            "*True vs predicted arousal (red) and valence (blue) per test track.*", ""]

  def comparisons_section(self) -> list:
    """Returns the Markdown lines of '## Comparisons': tests and verdicts per experiment."""
    lines = ["## Comparisons", ""]
    for number, experiment in enumerate(self.suite["experiments"], 1):
      rows = [r for r in self.rows if r["experiment"] == number]
      tracks = [r for r in self.tracks if r["experiment"] == number]
      lines += [f"### Experiment {number}: {experiment['title']}", "",
                f"*{experiment.get('question', '')}*", ""]
      if experiment.get("primary"):
        own = compare.question_primary(experiment)
        others = [m for m in compare.PRIMARY if m not in own]
        lines += [f"Primary metric of this question: {' and '.join(own)}"
                  + (f"; {' and '.join(others)} is secondary here (unadjusted, outside the "
                     "Holm family)." if others else "."), ""]
      if not rows:
        lines += ["Not enough finished repeats to compare yet.", ""]
        continue
      lines += self._primary_table([r for r in rows if r["primary"]])
      lines += self._secondary_table([r for r in rows if not r["primary"]])
      lines += self._track_table(tracks)
      lines += [f"- {verdicts.sentence(r)}" for r in rows if r["primary"]] + [""]
      if self.suite.get("inits"):  # the new protocol's suites: which classes move
        lines += per_class.section_lines(self.raw, experiment["pairs"])
      name = self._draw(f"differences_{number}.png", lambda path: figures.paired_differences(
          rows, path, experiment["title"]))  # noqa: B023 (called at once)
      lines += [f"![experiment {number}: paired differences](figures/{name})", "",
                f"*A − B per pair: mean with its {self._test_name()} 95% CI (blue: primary "
                "metric, grey: secondary), dots the single repeats, dashed line no difference. "
                "The y axis spans the data.*", ""]
    return lines

  def _test_name(self) -> str:
    return "corrected" if self.by == "fold" else "paired"

  def _primary_table(self, rows) -> list:
    if not rows:
      return []
    return self._comparison_table(
        rows, f"**Primary metric** (Holm within this question over {rows[0]['family_size']} "
        "test(s)):", f"t p ({self._test_name()})", primary=True)

  def _secondary_table(self, rows) -> list:
    if not rows:
      return []
    return self._comparison_table(
        rows, "**Secondary metrics** (unadjusted, not in the Holm family):", "t p (unadjusted)",
        primary=False)

  @staticmethod
  def _comparison_table(rows, title: str, p_header: str, primary: bool) -> list:
    """One table of comparison rows; a primary table adds the Holm and Wilcoxon p columns."""
    tost = primary and any("sesoi" in r for r in rows)  # only with a pre-registered SESOI
    headers = ["A vs B", "metric", "A", "B", "A − B [95% CI]", p_header,
               *(["Holm p"] if primary else []), "d_z [95% CI]", "MDE",
               *(["SESOI", "TOST Holm p"] if tost else []),
               *(["Wilcoxon p"] if primary else []), "verdict"]
    lines = [title, "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for r in rows:
      cells = [f"`{r['a']}` vs `{r['b']}`", r["metric"].label, fmt(r["mean_a"]),
               fmt(r["mean_b"]), verdicts.ci_text(r), fmt_p(r["test"]["p"]),
               *([fmt_p(r["holm_p"])] if primary else []), verdicts.dz_text(r), fmt(r["mde"]),
               *([fmt(r.get("sesoi")), fmt_p(r.get("tost_holm_p"))] if tost else []),
               *([verdicts.wilcoxon_text(r["wilcoxon"])] if primary else []),
               verdicts.verdict(r)]
      lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]

  def _track_table(self, tracks) -> list:
    if not tracks:
      return []
    bootstrap = any(r["kind"] == "ccc_bootstrap" for r in tracks)
    lines = ["**Per test track** (pooled predictions; McNemar once per pair and task, Holm "
             "within this question" + ("; the CCC bootstrap unadjusted" if bootstrap else "")
             + "):", "",
             "| A vs B | task | test | p | Holm p |", "|---|---|---|---|---|"]
    for r in tracks:
      lines.append(f"| `{r['a']}` vs `{r['b']}` | {r['task']} | {verdicts.track_text(r)} | "
                   f"{fmt_p(r['test']['p'])} | {fmt_p(r['holm_p'])} |")
    return lines + [""]

  def figures_section(self) -> list:
    """Returns the Markdown lines of the training curves and other figures ([] if none)."""
    lines = []
    if any(r.get("history") for runs in self.runs.values() for r in runs):
      self._draw("learning_curves.png", lambda path: figures.learning_curves(self.runs, path))
      lines += ["![learning curves](figures/learning_curves.png)", "",
                "*Training and validation loss per epoch, one line per repeat; the grey line "
                "marks the evaluated epoch.*", ""]
    if any(r.get("fusion_gates") for runs in self.runs.values() for r in runs):
      self._draw("fusion_gates.png", lambda path: figures.gate_weights(self.runs, path))
      lines += ["![fusion gates](figures/fusion_gates.png)", "",
                "*Gated fusion: the mean weight each task gives each feature branch "
                "(metrics.json `fusion_gates`, mean over repeats).*", ""]
    for name, caption in self.raw.get("kept_figures", {}).items():
      lines += [f"![{name}](figures/{name})", "", f"*{caption}*", ""]
    return ["## Training curves and other figures", ""] + lines if lines else []

  def conclusion_section(self) -> list:
    """Returns the Markdown lines of '## Conclusion': one line per research question."""
    lines = ["## Conclusion", "",
             "*Does multi-task learning with late fusion improve genre classification and "
             "emotion recognition over single-task baselines?* On "
             f"{self.suite.get('description') or self.suite['name']}, by research question "
             f"(primary metric macro-F1, {self._test_name()} t-test, Holm within the question, "
             f"α = {ALPHA}):", ""]
    for number, experiment in enumerate(self.suite["experiments"], 1):
      lines.append(verdicts.question_summary(
          experiment["title"], [r for r in self.rows if r["experiment"] == number],
          [r for r in self.tracks if r["experiment"] == number]))
    return lines + ["", "\"No difference detected\" is not evidence of equality: the MDE says "
                    "how large a difference these repeats and test tracks could have missed.",
                    ""]

  def appendix(self) -> list:
    """Returns the Markdown lines of '## Appendix: every run': one table row per run."""
    labels = [m.label for m in results.report_metrics()
              if any(raw_results.values(runs, m.label) for runs in self.runs.values())]
    lines = ["## Appendix: every run", "",
             f"Every number above is computed from `{raw_results.FILE_NAME}` (this folder), "
             f"collected from {self.raw['source']}.", "",
             "| run | split seed | best / total epochs | wall s | n train / test | "
             + " | ".join(labels) + " |", "|---|---|---|---|---|" + "---|" * len(labels)]
    for cell in self.cells:
      for run in self.runs[cell]:
        counts = "; ".join(f"{t} {run['n_train'][t]}/{run['n_test'][t]}"
                           for t in run.get("n_train", {}) if t in run.get("n_test", {}))
        wall = run.get("wall_seconds")
        init = "" if run.get("init") is None else f"/init_{run['init']}"
        lines.append(f"| `{cell}/{run['repeat']}{init}` | {run['split_seed']} | "
                     f"{run.get('best_epoch', '–')} / {run.get('epochs_done', '–')} | "
                     f"{'–' if wall is None else wall} | {counts or '–'} | " + " | ".join(
                         fmt(run["metrics"].get(l)) for l in labels) + " |")
    return lines + [""] + list(self.raw["text"].get("footer", []))

  def markdown(self) -> str:
    """The whole report.

    Returns:
      REPORT.md's text: title, data and method text, then every section.
    """
    suite = self.suite
    per_seed = {}
    for run in self.raw["runs"]:
      per_seed.setdefault((run["cell"], run["split_seed"]), 0)
      per_seed[(run["cell"], run["split_seed"])] += 1
    per_seed_runs = suite["repeats"]["n"] * max(len(suite.get("inits") or ()), 1)
    missing = [c for c in suite["cells"] if c not in self.runs or any(
        n < per_seed_runs for (cell, _), n in per_seed.items() if cell == c)]
    lines = [f"# Multi-task genre and emotion recognition: {suite['name']} suite", "",
             f"*Generated from `{raw_results.FILE_NAME}` in this folder by "
             "jmer.experiments.report; `python experiments/recompute.py` regenerates it and "
             "checks that it has not drifted. Do not edit by hand.*", ""]
    if missing:
      lines += [f"**Incomplete:** cells with unfinished repeats: {', '.join(missing)}.", ""]
    if suite.get("description"):
      lines += [f"Data: {suite['description']}.", ""]
    if self.demo_video:
      lines += [f"A recording of the web demo on one of these models: [{self.demo_video}]"
                f"({self.demo_video}).", ""]
    lines += list(self.raw["text"]["data"]) + list(self.raw["text"]["method"])
    for section in (self.statistics_section, self.results_section, self.comparisons_section,
                    self.figures_section, self.conclusion_section, self.appendix):
      lines += section()
    return "\n".join(lines)


def render(raw: dict, out_dir, demo_video: str = "", draw: bool = True) -> str:
  """The Markdown of REPORT.md from raw results alone.

  Args:
    raw: a raw-results dict (raw_results.collect or raw_results.load).
    out_dir: where figures/ goes.
    demo_video: a recording of the demo to link (default: the raw file's demo_video).
    draw: draw the figures (False: only the Markdown, e.g. to check a report for drift).
  Returns:
    REPORT.md's text.
  """
  report = Report(raw, out_dir, demo_video=demo_video or raw.get("demo_video", ""),
                  draw=draw)
  if not report.cells:
    raise ValueError("raw results hold no finished run to report on")
  return report.markdown()


def write_report(root, out_dir=None, demo_video="") -> pathlib.Path:
  """Collects raw_results.json from the suite root's run dirs into out_dir (default: the
  root), then writes REPORT.md and figures/ there from it; returns REPORT.md's path.

  Args:
    root: the suite root.
    out_dir: where raw_results.json, REPORT.md and figures/ go (default: root).
    demo_video: a recording of the demo to link ('' for none).

  Returns:
    The path of the written REPORT.md.
  """
  out = pathlib.Path(out_dir or root)
  raw = raw_results.collect(root)
  if demo_video:
    raw["demo_video"] = demo_video
  raw_results.write(raw, out / raw_results.FILE_NAME)
  path = out / "REPORT.md"
  path.write_text(render(raw, out))
  return path
