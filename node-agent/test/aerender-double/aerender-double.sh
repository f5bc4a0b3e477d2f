#!/bin/sh
# TEST DOUBLE for aerender (see aerender-double.ts). Finds tsx in the nearest node_modules above
# this script, so it works from any working directory.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
up=$dir
while [ "$up" != "/" ]; do
  if [ -f "$up/node_modules/tsx/dist/loader.mjs" ]; then
    exec node --import "$up/node_modules/tsx/dist/loader.mjs" "$dir/aerender-double.ts" "$@"
  fi
  up=$(dirname -- "$up")
done
echo "aerender-double: tsx not found in any node_modules above $dir" >&2
exit 127
