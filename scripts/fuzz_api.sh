#!/usr/bin/env bash
# Fuzz the API against its published schema, as every demo role (schemathesis).
#
#   scripts/fuzz_api.sh [BASE_URL]        (default http://127.0.0.1:8765)
#
# Run it against a throwaway demo (it writes: it creates, changes and deletes what each role
# may): e.g. DATABASE_URL=sqlite:////tmp/fuzz.sqlite3 .venv/bin/python manage.py load_demo,
# then serve that database. Uses the schemathesis of the project's venv (requirements/dev.txt;
# FUZZ_BIN to use another). Any 5xx or response outside the schema fails the run. The test
# suite runs a shorter, derandomised version in process (tests/api/test_schema_fuzz.py); this
# script is for a longer run with more examples. Officers go last: their actions may deactivate
# or re-password the other demo accounts. Officers with two factors get a code from DEMO_TOTP
# (the demo's authenticator secret by default). The endpoints that would end the run's own token
# or lock its account (its own password, revoking tokens) are left out.
set -euo pipefail
BASE=${1:-http://127.0.0.1:8765}
FUZZ_BIN=${FUZZ_BIN:-.venv/bin}
PASSWORD=${DEMO_PASSWORD:-Fulian-Demo-2026}
DEMO_TOTP=${DEMO_TOTP:-FULIANDEMOTOTPKEYFORTESTERSONLY2}
EXAMPLES=${FUZZ_EXAMPLES:-25}
ROLES=${FUZZ_ROLES:-"huilong_zhiwei xinshi_staff youxian_admin leader city_admin auditor security"}
status=0
for user in $ROLES; do
  token=$(curl -sf -X POST "$BASE/api/v1/auth/token/" -d "username=$user" -d "password=$PASSWORD" -d "name=fuzz" \
    ${DEMO_TOTP:+-d "code=$(.venv/bin/python -c "import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).now())" "$DEMO_TOTP")"} \
    | .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)['token'])")
  echo "=== $user"
  "$FUZZ_BIN/schemathesis" run "$BASE/api/schema/" --url "$BASE" \
    -H "Authorization: Token $token" -H "Accept-Language: en" \
    --checks all --exclude-checks ignored_auth,unsupported_method,positive_data_acceptance \
    --exclude-path-regex 'auth/token|tokens/\{|me/password' \
    -n "$EXAMPLES" --generation-deterministic --workers 2 \
    || status=1
done
exit $status
