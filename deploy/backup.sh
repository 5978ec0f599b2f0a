#!/usr/bin/env bash
# Back up fulian: the PostgreSQL database (pg_dump, custom format) and the uploaded files
# (FULIAN_MEDIA_ROOT), into DEST/fulian-<UTC time>/ with checksums and a manifest.
#
#   deploy/backup.sh DEST            (DATABASE_URL and FULIAN_MEDIA_ROOT from the environment,
#                                     else from FULIAN_ENV_FILE, else from /etc/fulian/env)
#   FULIAN_BACKUP_KEEP=14 deploy/backup.sh DEST     also deletes all but the newest 14 backups
#
# The data keys (FULIAN_DATA_KEYS, FULIAN_HASH_KEY) are NOT in the backup, on purpose: keep them
# apart (a sealed envelope, a password manager). Without them the ID numbers and phone numbers in
# a backup cannot be read, nor searched. The manifest names the key ids a restore will need.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?"usage: deploy/backup.sh DEST_DIR"}
# shellcheck source=deploy/settings.sh
. "$here/deploy/settings.sh"

stamp=$(date -u +%Y%m%d-%H%M%S)
final="$dest/fulian-$stamp"
work="$final.partial"  # renamed when complete: a half-written backup never looks like one
mkdir -p "$work"
trap 'rm -rf "$work"' ERR

pg_dump --format=custom --no-owner --no-privileges --file="$work/database.dump" "$DATABASE_URL"
if [ -d "$media_root" ]; then
  tar -C "$media_root" -czf "$work/media.tar.gz" .
else
  tar -czf "$work/media.tar.gz" -T /dev/null
fi
{
  echo "fulian backup $stamp (UTC)"
  echo "code: $(git -C "$here" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "database: $(pg_dump --version)"
  echo "data key ids needed to read it: $key_ids"
  echo "The data keys are not in this backup. Keep them apart; restore with deploy/restore.sh."
} > "$work/MANIFEST.txt"
(cd "$work" && sha256sum database.dump media.tar.gz MANIFEST.txt > SHA256SUMS)
mv "$work" "$final"
trap - ERR

if [ -n "${FULIAN_BACKUP_KEEP:-}" ]; then
  # Names sort by time; keep the newest N complete backups.
  ls -1d "$dest"/fulian-*[0-9] 2>/dev/null | sort | head -n "-$FULIAN_BACKUP_KEEP" | xargs -r rm -rf
fi
echo "$final"
echo "Backed up to $final. Reminder: the data keys ($key_ids) are not in it; keep them apart." >&2
