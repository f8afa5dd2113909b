"""Names shared by the worker, the API and the workflows: workflow types, the task queue, activities.

The workflows refer to activities by name so they never import adapters or database code; the
worker registers the implementations under these names.
"""

WORKFLOW_TYPE = "KelahiranWorkflow"
DEATH_WORKFLOW_TYPE = "KematianWorkflow"
CORRECTION_WORKFLOW_TYPE = "KoreksiWorkflow"
TASK_QUEUE = "kelahiran"

LOOKUP_FAMILY = "lookup_family"
REGISTER_BIRTH = "register_birth"
RECORD_STILLBIRTH = "record_stillbirth"
ISSUE_AKTA = "issue_akta"
ISSUE_KIA = "issue_kia"
REISSUE_KK = "reissue_kk"
ENROL_NEWBORN = "enrol_newborn"
MEMBERSHIP_STATUS = "membership_status"
SYNC_READ_MODEL = "sync_read_model"
DELIVER_REMINDER = "deliver_reminder"
AWAIT_PAYMENT = "await_bpjs_payment"
RECORD_DEATH = "record_death"
UPDATE_KK_MEMBER = "update_kk_member"
CORRECT_AKTA = "correct_akta"
REISSUE_KIA = "reissue_kia"
END_MEMBERSHIP = "end_membership"
UPDATE_MEMBER = "update_member"
SYNC_FOLLOW_UP = "sync_follow_up"
NOTIFY_FAMILY = "notify_family"
REKEY_MOTHER = "rekey_mother"
