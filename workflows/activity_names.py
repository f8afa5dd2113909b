"""Activity names the workflow schedules; the worker registers implementations under these names.

The workflow refers to activities by name so it never imports adapters or database code.
"""

LOOKUP_FAMILY = "lookup_family"
REGISTER_BIRTH = "register_birth"
RECORD_STILLBIRTH = "record_stillbirth"
ISSUE_AKTA = "issue_akta"
ISSUE_KIA = "issue_kia"
REISSUE_KK = "reissue_kk"
ENROL_NEWBORN = "enrol_newborn"
MEMBERSHIP_STATUS = "membership_status"
SYNC_READ_MODEL = "sync_read_model"
SEND_REMINDER = "send_reminder"
