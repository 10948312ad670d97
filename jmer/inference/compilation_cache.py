"""XLA's compiled prediction functions kept on disk, so a fresh process need not recompile them.

Compiling musicnn and the heads is a large part of a first prediction's CPU time in a new
process (measured in docs/performance.md); JAX's persistent compilation cache stores the
compiled programs under the jmer cache ($JMER_CACHE or ~/.cache/jmer, in `jax/`) and reuses
them when the same functions are compiled again. Only prediction turns it on.
"""

import os
import pathlib


def enable() -> pathlib.Path | None:
  """Points JAX's persistent compilation cache at <jmer cache>/jax, unless the user already set
  one (JAX_COMPILATION_CACHE_DIR).

  Also lowers JAX's minimum compile time for caching to 0.1 seconds, so small functions
  are kept too.

  Returns:
    The cache folder used, or None when JAX_COMPILATION_CACHE_DIR was already set.
  """
  if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
    return None
  import jax
  folder = pathlib.Path(os.environ.get("JMER_CACHE") or "~/.cache/jmer").expanduser() / "jax"
  jax.config.update("jax_compilation_cache_dir", str(folder))
  # The heads compile in well under JAX's default 1 s threshold, and they count too.
  jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)
  return folder
