from fulian.accounts.choices import Role
from fulian.core.permissions import register

register({"audit.view": {Role.AUDITOR}})
