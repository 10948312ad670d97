"""Many files at once (`jmer predict` with several inputs): a file-level pipeline.

For a model on the fast path (jmer.inference.musicnn_engine), a background thread decodes,
resamples and cuts the log-mel patches of the next files while the networks run, and the
patches of several files go through the networks in calls of exactly BATCH_PATCHES (only the
last call is padded), after which each file is finished (segments, heads, tags,
arousal/valence) and yielded in the order given. Each file's result is the one
predict_file gives it alone. Other models are predicted file by file.
"""

import pathlib

from jmer.data import audio
from jmer.inference import musicnn_engine
from jmer.inference import predict
from jmer.inference.decode import decoded_blocks

AHEAD = 4  # files prepared ahead of the networks


def predict_files(bundle, paths, *, timeline: bool = False, top_k: int = 3):
  """Yields (path, result) for each file in order; result is predict_file's dict, or the
  AudioError the file raised.

  Args:
    bundle: a loaded model (jmer.models.model_file.load_model_bundle).
    paths: audio files.
    timeline, top_k: as predict_file takes them.
  """
  engine = predict.engine_of(bundle)
  if engine is None:
    for path in paths:
      try:
        yield path, predict.predict_file(bundle, path, timeline=timeline, top_k=top_k)
      except audio.AudioError as error:
        yield path, error
    return
  pending = _Pending(bundle, engine, timeline, top_k)
  for path, prepared, source in predict._prefetched(
      (_prepared(engine, bundle, path) for path in paths), AHEAD):
    pending.add(path, prepared, source)
    yield from pending.ready(full_calls_only=True)
  yield from pending.ready(full_calls_only=False)


def _prepared(engine, bundle, path):
  """(path, the engine's Prepared input or the AudioError, the source's rate and channels)."""
  source = {}
  try:
    blocks = decoded_blocks(path, bundle.meta["sample_rate"], source=source)
    return path, engine.prepare(blocks, path), source
  except audio.AudioError as error:
    return path, error, source


class _Pending:
  """Files waiting for their patches' network outputs, and the outputs computed so far.

  Patches run in calls of exactly BATCH_PATCHES while enough are waiting (a call may hold the
  end of one file and the start of the next); a file is finished once all its patches are.
  """

  def __init__(self, bundle, engine, timeline: bool, top_k: int):
    self.bundle, self.engine, self.timeline, self.top_k = bundle, engine, timeline, top_k
    self.files, self.patches, self.outputs = [], [], []  # outputs: one dict per call

  def add(self, path, prepared, source):
    self.files.append((path, prepared, source))
    if not isinstance(prepared, audio.AudioError):
      self.patches.extend(prepared.patches)

  def ready(self, full_calls_only: bool):
    """Runs the calls there are patches for and yields the (path, result) of finished files."""
    import numpy as np
    size = musicnn_engine.BATCH_PATCHES
    while len(self.patches) >= size or (self.patches and not full_calls_only):
      batch, self.patches = self.patches[:size], self.patches[size:]
      self.outputs.append(self.engine.embed(np.stack(batch)))
    done = sum(len(next(iter(next(iter(o.values())).values()))) for o in self.outputs)
    while self.files:
      path, prepared, source = self.files[0]
      if isinstance(prepared, audio.AudioError):
        self.files.pop(0)
        yield path, prepared
        continue
      n = len(prepared.patches)
      if n > done:
        return
      self.files.pop(0)
      yield path, self._finish(path, prepared, source, self._take(n))
      done -= n

  def _take(self, n: int) -> dict:
    """The first n patches' outputs, removed from what is kept."""
    import numpy as np
    merged = {f: {k: np.concatenate([o[f][k] for o in self.outputs]) for k in outs}
              for f, outs in self.outputs[0].items()}
    mine = {f: {k: v[:n] for k, v in outs.items()} for f, outs in merged.items()}
    rest = {f: {k: v[n:] for k, v in outs.items()} for f, outs in merged.items()}
    self.outputs = [rest]
    return mine

  def _finish(self, path, prepared, source, embedded) -> dict:
    result = predict.predict_prepared(self.bundle, prepared, embedded, timeline=self.timeline,
                                      top_k=self.top_k)
    return dict(file=str(path), **result, source_sample_rate=source["sample_rate"],
                source_channels=source["channels"])


def expand_inputs(inputs) -> tuple:
  """The audio files named by the command line; folders are searched recursively.

  Args:
    inputs: file and folder paths.
  Returns:
    (files, errors): the files as pathlib.Paths (files given directly are kept unchecked; a
    folder contributes its files with an audio extension), and [(path, reason)] for
    unreadable entries and folders holding no audio file.
  """
  files, errors = [], []
  for item in inputs:
    path = pathlib.Path(item)
    if path.is_dir():
      found, unusable = audio.walk_files(path)
      found = [p for p in found if p.suffix.lower() in audio.AUDIO_EXTENSIONS]
      errors += unusable
      if not found:
        errors.append((str(path), "folder holds no audio files "
                                  f"({', '.join(audio.AUDIO_EXTENSIONS)})"))
      files += found
    else:
      files.append(path)
  return files, errors


def main(argv=None, prog: str = "python -m jmer.predict") -> int:
  """Runs `jmer predict`. Returns the exit status: 0; 1 if an input failed; 2 for a bad model."""
  import sys
  from jmer.inference import cli_args
  args = cli_args.parse(cli_args.predict_parser(prog), argv)
  from jmer.inference import output as predict_output
  from jmer.inference import export
  fmt = args.format or ("table" if sys.stdout.isatty() else "json")
  bundle = export.bundle_for_command(args)
  if bundle is None:
    return 2
  files, failures = expand_inputs(args.inputs)
  for path, reason in failures:
    print(f"{path}: {reason}", file=sys.stderr)
  writer = predict_output.make_writer(fmt, sys.stdout, args.timeline, bundle.output_names,
                                     tags=predict.tag_network(bundle) is not None)
  for _, result in predict_files(bundle, files, timeline=args.timeline, top_k=args.top_k):
    if isinstance(result, audio.AudioError):
      failures.append((result.path, result.reason))
      print(f"{result.path}: {result.reason}".replace("\n", " "), file=sys.stderr, flush=True)
      continue
    writer(result)
    sys.stdout.flush()
  return 1 if failures else 0
