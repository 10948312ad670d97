"""Ships the repository's top-level configs/ inside the package as jmer/configs.

Everything else about the package is in pyproject.toml. This file exists only because a
pyproject.toml cannot combine package discovery with a sub-package living outside its parent's
folder: configs/ stays at the top level (the README and `python -m jmer.main
--config=configs/mtl.py` use it there) and is installed as jmer/configs, so that
`jmer train --config=mtl` works from any directory after a plain `pip install`.
"""

import setuptools

setuptools.setup(
    packages=setuptools.find_packages(include=["jmer", "jmer.*"]) + ["jmer.configs"],
    package_dir={"jmer.configs": "configs"},
)
