#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts a throw-away local MongoDB-compatible server (FerretDB),
# migrates the bundled sample database (samples/app.db, the reference FastAPI app) into it, prints the summary
# and the migrated documents, then stops the server. Extra arguments go to the CLI (e.g. --dry-run).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/build-ferretdb.sh
node scripts/build.mjs >/dev/null 2>&1 || node scripts/build.mjs
DIR=$(mktemp -d)
mkdir -p "$DIR/data"
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
.cache/bin/ferretdb --handler=sqlite --sqlite-url="file:$DIR/data/" --state-dir="$DIR" \
  --listen-addr="127.0.0.1:$PORT" --debug-addr=- --telemetry=disable --log-level=error >"$DIR/ferretdb.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
URL="mongodb://127.0.0.1:$PORT"
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.2; done
echo "Local test server (FerretDB) at $URL"
echo "\$ sqlite2mongo --sqlite-url samples/app.db --mongodb-url $URL --mongodb-db app --if-exists drop $*"
set +e
node dist/cli.js --sqlite-url samples/app.db --mongodb-url "$URL" --mongodb-db app --if-exists drop "$@"
CODE=$?
set -e
if [[ $CODE -eq 0 && " $* " != *" --dry-run "* ]]; then
  echo
  echo "The resources collection as MongoDB now holds it:"
  node -e "
    const { MongoClient } = require('mongodb');
    (async () => {
      const c = await MongoClient.connect(process.argv[1]);
      for (const d of await c.db('app').collection('resources').find().sort({ _id: 1 }).toArray()) console.log(d);
      console.log('indexes:', (await c.db('app').collection('resources').indexes()).map((i) => JSON.stringify(i.key)).join(' '));
      await c.close();
    })();" "$URL"
fi
exit $CODE
