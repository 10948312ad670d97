"""Many files at once (`jmer predict` with several inputs): a file-level pipeline.

For a model on the fast path (jmer.inference.musicnn_engine), a background thread decodes,
resamples and cuts the log-mel patches of the next files while the networks run, and the
patches of several files go through the networks in the same calls (a 30 s song has 11
patches; alone it pads its call to 16), after which each file is finished (segments, heads,
tags, arousal/valence) and yielded in the order given. Each file's result is the one
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
  waiting, patches = [], 0
  for item in predict._prefetched((_prepared(engine, bundle, path) for path in paths), AHEAD):
    waiting.append(item)
    patches += len(item[1].patches) if not isinstance(item[1], audio.AudioError) else 0
    if patches >= musicnn_engine.BATCH_PATCHES:
      yield from _finished(bundle, engine, waiting, timeline, top_k)
      waiting, patches = [], 0
  yield from _finished(bundle, engine, waiting, timeline, top_k)


def _prepared(engine, bundle, path):
  """(path, the engine's Prepared input or the AudioError, the source's rate and channels)."""
  source = {}
  try:
    blocks = decoded_blocks(path, bundle.meta["sample_rate"], source=source)
    return path, engine.prepare(blocks, path), source
  except audio.AudioError as error:
    return path, error, source


def _finished(bundle, engine, waiting, timeline: bool, top_k: int):
  """Embeds the patches of the `waiting` files in shared calls and yields their results."""
  import numpy as np
  ready = [p for _, p, _ in waiting if not isinstance(p, audio.AudioError)]
  if ready:
    embedded = engine.embed(np.concatenate([p.patches for p in ready]))
  first = 0
  for path, prepared, source in waiting:
    if isinstance(prepared, audio.AudioError):
      yield path, prepared
      continue
    part = slice(first, first + len(prepared.patches))
    first = part.stop
    mine = {f: {k: v[part] for k, v in outputs.items()} for f, outputs in embedded.items()}
    result = predict.predict_prepared(bundle, prepared, mine, timeline=timeline, top_k=top_k)
    yield path, dict(file=str(path), **result, source_sample_rate=source["sample_rate"],
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
