# Sourced by backup.sh and restore.sh: the database and the uploaded files' folder, from the
# environment, else from the settings file the site reads (FULIAN_ENV_FILE, else /etc/fulian/env).
env_file=${FULIAN_ENV_FILE:-/etc/fulian/env}
setting() {  # setting NAME: the environment's value, else the file's KEY=VALUE line
  local name=$1 value=${!1:-}
  if [ -z "$value" ] && [ -r "$env_file" ]; then
    value=$(sed -n "s/^[[:space:]]*$name[[:space:]]*=[[:space:]]*//p" "$env_file" | tail -n 1)
  fi
  printf '%s' "$value"
}
DATABASE_URL=$(setting DATABASE_URL)
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "DATABASE_URL must name the PostgreSQL database (set it, or FULIAN_ENV_FILE)." >&2; exit 2 ;;
esac
media_root=$(setting FULIAN_MEDIA_ROOT)
media_root=${media_root:-$here/media}
# The ids of the data keys (the part before each ':'), never the keys themselves.
key_ids=$(setting FULIAN_DATA_KEYS | tr ',' '\n' | sed -n 's/^[[:space:]]*\([^:]*\):.*/\1/p' | paste -sd, -)
key_ids=${key_ids:-unknown}
