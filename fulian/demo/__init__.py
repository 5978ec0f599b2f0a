# The one password of every demo account; printed by ``manage.py load_demo``. Demo only.
DEMO_PASSWORD = "Fulian-Demo-2026"
# The authenticator secret of the demo officers (security, auditor, city_admin), who log in
# with a second factor; printed by ``load_demo`` with how to get a code. Demo only.
DEMO_TOTP_SECRET = "FULIANDEMOTOTPKEYFORTESTERSONLY2"
