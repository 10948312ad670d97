"""The built-in corpus: `render` turns a seed into labelled music clips, `styles` holds its
musical tables. The dataset that lists the rendered clips is jmer.data.datasets.builtin."""
