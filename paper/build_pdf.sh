#!/usr/bin/env bash
# Builds a PDF of the paper offline from paper/README.md: Debian's pandoc turns the Markdown into
# one HTML page (equations as MathML, figures embedded) and Chromium prints it to A4.
#   apt-get install pandoc chromium
#   bash paper/build_pdf.sh [out.pdf]       # default: paper/paper.pdf
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(realpath -m "${1:-$here/paper.pdf}")"
html="$(mktemp --suffix=.html)"
trap 'rm -f "$html"' EXIT
cd "$here"
pandoc README.md -f gfm+tex_math_dollars -t html5 --mathml --standalone --self-contained \
  --css pdf.css --metadata pagetitle="Does genre help emotion?" -o "$html"
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
  --print-to-pdf="$out" "file://$html" 2>/dev/null
echo "wrote $out"
