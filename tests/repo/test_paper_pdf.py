"""paper/build_pdf.sh builds a PDF of the paper offline where Debian's pandoc and chromium are
installed (CI installs chromium only, so there it skips)."""

import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO


@pytest.mark.slow  # pandoc and a headless Chromium: a few seconds
def test_the_paper_builds_into_a_pdf(tmp_path):
  if not (shutil.which("pandoc") and shutil.which("chromium")):
    pytest.skip("pandoc or chromium is not installed (apt-get install pandoc chromium)")
  out = tmp_path / "paper.pdf"
  subprocess.run(["bash", str(REPO / "paper" / "build_pdf.sh"), str(out)], check=True,
                 capture_output=True, timeout=300)
  data = out.read_bytes()
  pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
  assert data.startswith(b"%PDF") and pages >= 10, pages  # text, 9 tables and 9 figures
