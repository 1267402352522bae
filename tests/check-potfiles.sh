#!/bin/sh
# Fails when a source file with translatable strings is missing from po/POTFILES.in,
# or when POTFILES.in names a file that does not exist.
set -eu
top=${1:?usage: check-potfiles.sh SOURCE_ROOT}
cd "$top"
listed=$(mktemp); found=$(mktemp)
trap 'rm -f "$listed" "$found"' EXIT
grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort -u > "$listed"
{
  grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dngettext|ngettext)[[:space:]]*\(' --include='*.c' src || true
  grep -rl 'translatable="yes"' --include='*.ui' src || true
  ls data/*.desktop.in.in data/*.metainfo.xml.in.in data/*.gschema.xml 2>/dev/null || true
} | sort -u > "$found"
status=0
missing=$(comm -13 "$listed" "$found")
if [ -n "$missing" ]; then
  echo "Files with translatable strings missing from po/POTFILES.in:"; echo "$missing" | sed 's/^/  /'
  status=1
fi
while read -r f; do
  [ -e "$f" ] || { echo "po/POTFILES.in names a file that does not exist: $f"; status=1; }
done < "$listed"
[ $status -eq 0 ] && echo "POTFILES.in lists all $(wc -l < "$found") files with translatable strings"
exit $status
