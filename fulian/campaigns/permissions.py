from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # Campaigns, their rubrics, entries, rankings and awards of the subtree: every business role.
        "campaigns.view": {Role.ADMIN, Role.STAFF, Role.MEMBER, Role.VIEWER},
        # Setting a campaign up (rubric, stages, quotas, public vote): the federation's staff.
        "campaigns.manage": {Role.ADMIN, Role.STAFF},
        # Nominating for the federation (妇联推荐), screening nominations, assigning raters.
        "campaigns.screen": {Role.ADMIN, Role.STAFF},
        # Scoring on site: a 执委 assigned as rater (her own sheets only); staff on paper's behalf.
        "campaigns.score": {Role.ADMIN, Role.STAFF, Role.MEMBER},
        # Ranking, adjustments, promotion, 公示 and objections, awards, superseding a sheet.
        "campaigns.review": {Role.ADMIN, Role.STAFF},
    }
)
