"""One small module per dataset, all behind one interface: `list_tracks(config) -> TrackList`.

The registry is a plain dict so that adding a dataset is one import and one line.
"""

from jmer.data.datasets import folder
from jmer.data.datasets import manifest
from jmer.data.datasets import synthetic

DATASETS = {
    "synthetic": synthetic.list_tracks,
    "folder": folder.list_tracks,
    "manifest": manifest.list_tracks,
}
