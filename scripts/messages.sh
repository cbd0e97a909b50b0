#!/usr/bin/env bash
# Message catalogs of the tool's own texts (site_builder/messages.py says how they are used):
#   bash scripts/messages.sh          extract every _()/N_()/ngettext() text into the template
#                                     and merge it into the zh_Hans and zh_Hant catalogs
#   bash scripts/messages.sh --hant   also fill untranslated zh_Hant entries from zh_Hans with
#                                     OpenCC s2tw (Taiwan standard characters, no phrase
#                                     rewriting), marked fuzzy: a person reviews each and clears
#                                     the flag (tests/test_messages.py refuses fuzzy entries)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
LOCALE=site_builder/locale
POT=$LOCALE/site_builder.pot
.venv/bin/pybabel extract --no-location --sort-output --omit-header --project=site_builder \
  -k _ -k N_ -k ngettext:1,2 -o "$POT" site_builder
for lang in zh_Hans zh_Hant; do
  .venv/bin/pybabel update --init-missing --no-fuzzy-matching --ignore-obsolete --width=100 \
    -D site_builder -l "$lang" -i "$POT" -o "$LOCALE/$lang/LC_MESSAGES/site_builder.po"
done
if [ "${1:-}" = "--hant" ]; then
  "$PY" - "$LOCALE" <<'PYEOF'
import sys
from pathlib import Path

import opencc
from babel.messages.pofile import read_po, write_po

root = Path(sys.argv[1])
s2tw = opencc.OpenCC("s2tw")
with open(root / "zh_Hans/LC_MESSAGES/site_builder.po", "rb") as f:
    hans = read_po(f)
hant_path = root / "zh_Hant/LC_MESSAGES/site_builder.po"
with open(hant_path, "rb") as f:
    hant = read_po(f)
filled = 0
for message in hant:
    if not message.id or message.string:
        continue
    source = hans.get(message.id)
    if source is None or not source.string or source.fuzzy:
        continue
    message.string = s2tw.convert(source.string)
    message.flags.add("fuzzy")
    filled += 1
with open(hant_path, "wb") as f:
    write_po(f, hant, no_location=True, width=100)
print(f"zh_Hant: {filled} entries filled from zh_Hans with s2tw, marked fuzzy for review")
PYEOF
fi
