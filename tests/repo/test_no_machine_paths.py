"""Committed results and docs name data by paths relative to their roots ($JMER_DATA,
$JMER_CACHE, the repository), never by the absolute paths of the machine that ran them."""

import re

from jmer.experiments import relative_paths

from tests.conftest import REPO

ABSOLUTE = re.compile(r"(/work/|/home/|/tmp/|/root/|/Users/|\b[A-Z]:\\)")


def _committed_text_files():
  paths = [REPO / "README.md", *(REPO / "docs").rglob("*"), *(REPO / "paper").rglob("*"),
           *(REPO / "experiments" / "results").rglob("*"),
           *(REPO / "benchmarks" / "results").rglob("*")]
  return [p for p in paths if p.is_file() and p.suffix in (".md", ".json", ".csv", ".txt")]


def test_no_committed_result_or_doc_holds_an_absolute_path():
  found = []
  for path in _committed_text_files():
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
      if ABSOLUTE.search(line):
        found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:120]}")
  assert not found, "absolute paths in committed files:\n" + "\n".join(found[:20])


def test_raw_results_rewrite_paths_relative_to_the_data_and_cache_roots():
  roots = {"/data/music": relative_paths.DATA, "/cache": relative_paths.CACHE}
  raw = dict(text=dict(data=["class folders at /data/music/4q_dev: 450 files",
                             "corpus at /cache/synthetic/fe2b"]),
             predictions=dict(columns=["dataset", "track_id"], runs={"a/1/fold_0": [
                 ["manifest", "gtzan-cee1b6//data/music/gtzan_real/blues/b.00001.mp3"]]}))
  out = relative_paths.rewrite(raw, roots)
  assert out["text"]["data"] == ["class folders at $JMER_DATA/4q_dev: 450 files",
                                 "corpus at $JMER_CACHE/synthetic/fe2b"]
  # A track id becomes its path relative to the data root.
  assert out["predictions"]["runs"]["a/1/fold_0"] == [
      ["manifest", "gtzan-cee1b6/gtzan_real/blues/b.00001.mp3"]]
  assert raw["text"]["data"][0].startswith("class folders at /data")  # a copy, not in place
  config = dict(data=dict(root="/data/music/", cache_dir="/cache"))
  assert list(relative_paths.roots_of(config))[:2] == ["/data/music", "/cache"]
