# The one password of every demo account; printed by ``manage.py load_demo``. Demo only.
DEMO_PASSWORD = "Fulian-Demo-2026"
