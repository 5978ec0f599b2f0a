#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh: the database into DATABASE_URL's database and the
# uploaded files into FULIAN_MEDIA_ROOT (both from the environment, else FULIAN_ENV_FILE, else
# /etc/fulian/env). Stop fulian-web and fulian-worker first.
#
#   deploy/restore.sh BACKUP_DIR              into an empty database (a new one: createdb)
#   deploy/restore.sh --replace BACKUP_DIR    over an existing one (its tables are dropped; the
#                                             current files are moved aside, not deleted)
#
# The site then needs the same data keys as when the backup was made (MANIFEST.txt names their
# ids): without them the ID numbers and phone numbers cannot be read.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
replace=
if [ "${1:-}" = "--replace" ]; then replace=1; shift; fi
backup=${1:?"usage: deploy/restore.sh [--replace] BACKUP_DIR"}
# shellcheck source=deploy/settings.sh
. "$here/deploy/settings.sh"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || {
  echo "$backup: the files do not match their checksums; not restoring." >&2
  exit 1
}
tables=$(psql --no-psqlrc -Atc "select count(*) from pg_tables where schemaname = 'public'" "$DATABASE_URL")
if [ "$tables" != 0 ] && [ -z "$replace" ]; then
  echo "The database already has $tables tables. Restore into a new database, or pass --replace." >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  ${replace:+--clean --if-exists} --dbname="$DATABASE_URL" "$backup/database.dump"

if [ -d "$media_root" ] && [ -n "$(ls -A "$media_root")" ]; then
  aside="$media_root.before-restore-$(date -u +%Y%m%d-%H%M%S)"
  mv "$media_root" "$aside"
  echo "The files that were in $media_root are now in $aside." >&2
fi
mkdir -p "$media_root"
tar -C "$media_root" -xzf "$backup/media.tar.gz"

sed -n 's/^data key ids needed to read it: /Restored. The site needs the data keys with these ids: /p' "$backup/MANIFEST.txt" >&2
