"""One small module per dataset, all behind one interface: `list_tracks(config) -> TrackList`.

The registry is a plain dict so that adding a dataset is one import and one line.

Real datasets (gtzan, deam, emomusic, 4q) are plain modules, not tensorflow-datasets builders:
a tfds builder would store the decoded audio a second time next to the user's copy and our
feature cache, and its manual-download flow adds nothing over a clear error naming the folder,
what belongs there and where to get it (each module's WHERE_TO_GET). The modules only list files
and labels; decoding and features happen once, in the shared cache.
"""

from jmer.data.datasets import deam
from jmer.data.datasets import emomusic
from jmer.data.datasets import folder
from jmer.data.datasets import four_quadrants
from jmer.data.datasets import gtzan
from jmer.data.datasets import manifest
from jmer.data.datasets import builtin

DATASETS = {
    "synthetic": builtin.list_tracks,
    "gtzan": gtzan.list_tracks,
    "deam": deam.list_tracks,
    "emomusic": emomusic.list_tracks,
    "4q": four_quadrants.list_tracks,
    "folder": folder.list_tracks,
    "manifest": manifest.list_tracks,
}
