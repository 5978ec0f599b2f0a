#!/usr/bin/env bash
# Deployment smoke test (run by .ci/run; needs root or free ports, nginx, PostgreSQL, Chromium):
# the deploy kit as the README installs it, with Debian's nginx and a self-signed certificate in
# front of gunicorn and db_worker started from the systemd units' own command lines, the
# production settings (real keys made here, HTTPS, FULIAN_PROXY_COUNT=1) in an environment file;
# then a phone-sized browser and an API client over HTTPS (smoke_browser.py), then a backup and a
# restore into a new database that must answer the same.
#
#   bash tests/deploy/smoke.sh        (SMOKE_KEEP=1 keeps the work folder and the databases)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# A server's shell: none of the demo's or the test suite's switches.
unset FULIAN_DEV_KEYS FULIAN_TESTING FULIAN_DEBUG DATABASE_URL FULIAN_TEST_DB_NAME
PY="$root/.venv/bin/python"
PG=postgres://postgres@127.0.0.1:5432
app_port=${SMOKE_APP_PORT:-18000}
https_port=${SMOKE_HTTPS_PORT:-18443}
http_port=${SMOKE_HTTP_PORT:-18080}
work=$(mktemp -d /tmp/fulian-smoke.XXXXXX)
db=fulian_smoke
restored=fulian_smoke_restored
pids=()

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  if [ "$status" != 0 ]; then
    echo "--- smoke: FAILED; the servers' logs:" >&2
    tail -n 40 "$work"/*.log >&2 || true
  fi
  if [ -z "${SMOKE_KEEP:-}" ]; then
    rm -rf "$work"
    for name in "$db" "$restored"; do psql -q "$PG/postgres" -c "drop database if exists $name" 2>/dev/null || true; done
  else
    echo "--- smoke: kept $work" >&2
  fi
}
trap cleanup EXIT

step() { echo "--- smoke: $*"; }

step "databases $db and $restored, fresh"
for name in "$db" "$restored"; do
  psql -q "$PG/postgres" -c "drop database if exists $name" -c "create database $name"
done

step "production settings in an environment file, with keys made now"
key() { "$PY" -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"; }
cat > "$work/env" <<ENV
FULIAN_SECRET_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
FULIAN_DATA_KEYS=k1:$(key)
FULIAN_HASH_KEY=$(key)
DATABASE_URL=$PG/$db
FULIAN_ALLOWED_HOSTS=localhost
FULIAN_PROXY_COUNT=1
FULIAN_MEDIA_ROOT=$work/media
FULIAN_EXPORT_SYNC_ROWS=1
ENV
export FULIAN_ENV_FILE="$work/env"
"$PY" manage.py check --deploy --fail-level WARNING

step "build and load as the README's Deploy section says"
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_divisions
"$PY" manage.py load_demo > /dev/null  # someone to log in as

step "gunicorn and db_worker from the systemd units' command lines"
unit_command() {  # the ExecStart of a unit, pointed at this checkout and the smoke test's port
  sed -n 's/^ExecStart=//p' "deploy/systemd/$1" | sed "s|/srv/fulian|$root|g; s|127.0.0.1:8000|127.0.0.1:$app_port|"
}
# shellcheck disable=SC2046
$(unit_command fulian-web.service) > "$work/gunicorn.log" 2>&1 &
pids+=($!)
# shellcheck disable=SC2046
$(unit_command fulian-worker.service) > "$work/worker.log" 2>&1 &
pids+=($!)
# The nightly coverage catch-up (fulian-coverage.timer), as its unit runs it.
# shellcheck disable=SC2046
$(unit_command fulian-coverage.service) | grep "^Coverage "

step "nginx with deploy/nginx/fulian.conf and a self-signed certificate"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
sed -e "s|fulian.example.org|localhost|g; s|/srv/fulian|$root|g" \
  -e "s|/etc/ssl/fulian|$work|g; s|127.0.0.1:8000|127.0.0.1:$app_port|" \
  -e "s|listen 443 |listen $https_port |; s|listen 80;|listen $http_port;|" \
  -e '/listen \[::\]/d' deploy/nginx/fulian.conf > "$work/site.conf"
mkdir -p "$work/nginx-temp"
cat > "$work/nginx.conf" <<NGINX
$([ "$(id -u)" = 0 ] && echo "user root;")
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $work/nginx-access.log;
    client_body_temp_path $work/nginx-temp/body;
    proxy_temp_path $work/nginx-temp/proxy;
    fastcgi_temp_path $work/nginx-temp/fastcgi;
    uwsgi_temp_path $work/nginx-temp/uwsgi;
    scgi_temp_path $work/nginx-temp/scgi;
    include $work/site.conf;
}
NGINX
nginx -t -q -c "$work/nginx.conf" -p "$work"
nginx -c "$work/nginx.conf" -p "$work"

for _ in $(seq 1 60); do
  curl -fsk "https://localhost:$https_port/healthz" > /dev/null 2>&1 && break
  sleep 1
done
curl -fsk "https://localhost:$https_port/healthz" > /dev/null

step "a sheet of 15 MB"
"$PY" tests/deploy/make_sheet.py "$work/households.csv" 430223123 15 > "$work/rows"
"$PY" tests/deploy/smoke_browser.py "https://localhost:$https_port" "http://localhost:$http_port" \
  "$work/households.csv" 430223123

step "back up, restore into $restored, compare"
fingerprint() {  # every table's row count and the checksum of its rows, and the files
  psql --no-psqlrc -At "$1" <<'SQL'
select format('%s %s %s', c.relname, (xpath('/row/n/text()', x))[1], (xpath('/row/h/text()', x))[1])
from pg_class c
join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
cross join lateral query_to_xml(
  format('select count(*) as n, md5(coalesce(string_agg(t::text, '','' order by t::text), '''')) as h from %I t', c.relname),
  false, true, '') as x
where c.relkind = 'r'
order by c.relname;
SQL
}
# As on a server: the site and the worker stop, so that nothing writes between the two reads.
for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
pids=()
backup=$(deploy/backup.sh "$work/backups" | tail -n 1)
test -s "$backup/database.dump" && test -s "$backup/media.tar.gz"
grep -q "data key ids needed to read it: k1" "$backup/MANIFEST.txt"
DATABASE_URL="$PG/$restored" FULIAN_MEDIA_ROOT="$work/media-restored" deploy/restore.sh "$backup"
diff <(fingerprint "$PG/$db") <(fingerprint "$PG/$restored")
test "$(fingerprint "$PG/$restored" | wc -l)" -gt 20
diff <(cd "$work/media" && find . -type f -exec sha256sum {} + | sort) \
     <(cd "$work/media-restored" && find . -type f -exec sha256sum {} + | sort)
# The restored database answers the application the same: the same households, the same
# decrypted phone numbers (the keys are the environment file's).
answers() {
  DATABASE_URL="$1" "$PY" manage.py shell -c "
from fulian.households.models import Household
rows = Household.objects.order_by('pk').values_list('pk', 'head_name')
print(rows.count(), [h.mobile for h in Household.objects.order_by('pk')[:50]])"
}
diff <(answers "$PG/$db") <(answers "$PG/$restored")
# A restore over a database that has tables needs --replace.
if DATABASE_URL="$PG/$restored" deploy/restore.sh "$backup" 2> "$work/refused"; then
  echo "restore over a full database was not refused" >&2; exit 1
fi
grep -q -- "--replace" "$work/refused"
step "passed"
