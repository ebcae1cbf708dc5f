#!/usr/bin/env bash
# Rebuilds graphiql/assets/ from the npm registry. The versions below are the
# record of what is vendored: to upgrade, change them, run this script, check
# the playground in a browser (go test ./graphiql/ runs it headless) and commit
# the assets together with this file.
#
# The large bundles are stored gzip-compressed (-n drops the name and time
# stamp so the same input always gives the same bytes and a re-run leaves git
# clean); handler.go serves them compressed or inflates them for clients that
# do not accept gzip. The files are otherwise byte-for-byte what npm ships.
set -euo pipefail

GRAPHIQL_VERSION=3.8.3
REACT_VERSION=18.3.1

here="$(cd "$(dirname "$0")" && pwd)"
assets="$here/assets"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact \
	"graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION" >/dev/null
nm="$work/node_modules"

vendor() { # vendor SRC NAME: compress SRC into assets/NAME.gz
	gzip -9n <"$1" >"$assets/$2.gz"
}
vendor "$nm/graphiql/graphiql.min.js" graphiql.min.js
vendor "$nm/graphiql/graphiql.min.css" graphiql.min.css
vendor "$nm/react/umd/react.production.min.js" react.production.min.js
vendor "$nm/react-dom/umd/react-dom.production.min.js" react-dom.production.min.js

cp "$nm/graphiql/LICENSE" "$assets/LICENSE.graphiql"
cp "$nm/react/LICENSE" "$assets/LICENSE.react"
cp "$nm/react-dom/LICENSE" "$assets/LICENSE.react-dom"

# Keep a plain-text record of exactly which versions were vendored.
{
	echo "# Vendored by update-assets.sh; do not edit by hand."
	for p in graphiql react react-dom; do
		node -p "'$p ' + require('$nm/$p/package.json').version"
	done
} >"$assets/VERSIONS"
