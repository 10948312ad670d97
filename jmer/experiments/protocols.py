"""The study protocols a suite can follow (SUITE['protocol']): the repeats, split seeds,
suite-wide settings and --quick of every study on the same data, stated once.

A suite's own entries override its protocol's; its `set` is merged over the protocol's. Adding
a protocol is one entry in PROTOCOLS; a suite naming an unknown one is refused with the known
names.
"""

PROTOCOLS = {
    # The real development sets (GTZAN's usable clips and 4Q, configs/real_music.py): 5
    # artist-grouped folds on each of split seeds 1-3 (split seed 0 chose the shipped recipe,
    # so it reports nothing); one feature worker, since each clip is embedded by two
    # pretrained networks, and one log line an epoch. Initialisation is a factor: every arm
    # runs init seeds 0-2 on every fold (config.seed), and the tests pair per-fold means over
    # them; a suite whose cells fix `seed` (an init as the arm itself) sets inits=().
    "real_music": dict(
        repeats=dict(by="fold", n=5),
        split_seeds=(1, 2, 3),
        inits=(0, 1, 2),
        set={"features.workers": 1, "train.verbose": 2},
        quick=dict(variants="", repeats=2, set={"train.epochs": 2}),
    ),
}


def with_protocol(suite: dict, *, where: str) -> dict:
  """The suite's entries over those of the protocol it names (none: the suite as it is).

  Args:
    suite: a SUITE dict as its file defines it.
    where: the suite file, for the message.

  Returns:
    A new dict: the protocol's entries, then the suite's; `set` merged key by key.

  Raises:
    ValueError: the suite names a protocol PROTOCOLS does not define.
  """
  name = suite.get("protocol")
  if name is None:
    return dict(suite)
  if name not in PROTOCOLS:
    raise ValueError(f"{where}: SUITE['protocol'] = {name!r}: no such protocol (known: "
                     f"{', '.join(sorted(PROTOCOLS))})")
  merged = {**PROTOCOLS[name], **suite}
  merged["set"] = {**PROTOCOLS[name].get("set", {}), **suite.get("set", {})}
  return merged
