from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# "Recorded", "Accepted" and "Closed" have other meanings elsewhere (a time, an objection
# upheld, a campaign over): a request's are said in the context "request".


class RequestKind(models.TextChoices):
    NEED = "need", _("Need (诉求)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")


class Category(models.TextChoices):
    """What a 她代表 request is about."""

    JOBS = "jobs", _("Employment")
    FAMILY = "family", _("Family dispute")
    CHILDCARE = "childcare", _("Childcare")
    ELDERLY = "elderly", _("Care of the elderly")
    HEALTH = "health", _("Health")
    LAW = "law", _("Legal")
    POLICY = "policy", _("Policy question")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Very urgent")


# Working days to an answer, by urgency (holidays and 调休 from the calendar).
DEADLINE_DAYS = {Urgency.NORMAL: 10, Urgency.URGENT: 5, Urgency.CRITICAL: 2}


class RequestStatus(models.TextChoices):
    """recorded → accepted → assigned → in progress → answered → closed; escalating hands it to
    the level above, where it is recorded again until that level accepts it."""

    RECORDED = "recorded", pgettext_lazy("request", "Recorded")
    ACCEPTED = "accepted", pgettext_lazy("request", "Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", pgettext_lazy("request", "Closed")


OPEN_STATUSES = (
    RequestStatus.RECORDED,
    RequestStatus.ACCEPTED,
    RequestStatus.ASSIGNED,
    RequestStatus.IN_PROGRESS,
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class StepKind(models.TextChoices):
    RECORD = "record", pgettext_lazy("request", "Recorded")
    ACCEPT = "accept", pgettext_lazy("request", "Accepted")
    ASSIGN = "assign", _("Assigned")
    ESCALATE = "escalate", _("Escalated")
    UPDATE = "update", _("Progress")
    ANSWER = "answer", _("Answered")
    RATE = "rate", _("Satisfaction")
    REOPEN = "reopen", _("Reopened")
    CLOSE = "close", pgettext_lazy("request", "Closed")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Not competent (不称职)")


class ItemSection(models.TextChoices):
    BASE = "base", _("Basics")
    BONUS = "bonus", _("Bonus")
    DEDUCTION = "deduction", _("Deduction")


class Measure(models.TextChoices):
    """What an assessment item counts: taken from her records, or entered by her reviewers."""

    RECORDS = "records", _("Confirmed duty records")
    HOURS = "hours", _("Hours of confirmed duty")
    HOUSEHOLDS = "households", _("Households contacted")
    REQUESTS = "requests", _("Requests answered")
    REPORT = "report", _("Annual report written")
    CAMPAIGN = "campaign", _("Households scored in campaigns")
    MANUAL = "manual", _("Entered by reviewers")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
