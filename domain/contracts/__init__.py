"""Everything that crosses the Temporal boundary: workflow input, state, updates, activity I/O.

Pure pydantic, no I/O and no clock: workflows, activities and the API all import this package.
Every workflow, activity and update takes one model so fields can be added without breaking
running histories.

  enums       services, their statuses, the bundle's status, reason codes, follow-up kinds
  inputs      workflow inputs and tuning, updates and their answer
  notification the birth notification as plain data (validated at intake)
  state       the bundle's and a follow-up's state (queries, the read model) and its syncs
  activities  activity inputs and results
  names       workflow types, the task queue and the activity names (`import ... as act`)

Every public name is re-exported here: `from domain.contracts import X` works for all of them
(activity names excepted: they are reached through the `names` module).
"""

from domain.contracts import names
from domain.contracts.activities import (
    AktaCorrected,
    AktaCorrectionInput,
    AktaInput,
    AktaIssued,
    BpjsEndInput,
    BpjsEnrolInput,
    BpjsMembership,
    BpjsStatusInput,
    BpjsUpdateInput,
    DeathInput,
    DeathRecorded,
    FamilyInfo,
    FamilyLookupInput,
    FamilyNoticeInput,
    FamilyNoticeSent,
    FollowUpSync,
    KiaInput,
    KiaIssued,
    KkChild,
    KkMemberInput,
    KkReissued,
    KkReissueInput,
    NikIssued,
    RegisterBirthInput,
    ReminderDelivered,
    ReminderInput,
    StillbirthInput,
    StillbirthRecorded,
)
from domain.contracts.enums import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    BundleStatus,
    FollowUpKind,
    Note,
    Reason,
    Service,
    ServiceStatus,
)
from domain.contracts.inputs import (
    CloseBundleInput,
    CorrectParentsInput,
    FollowUpInput,
    ForwardInput,
    KadisDecisionInput,
    KelahiranInput,
    ProvideNameInput,
    ReportDeathInput,
    RetryServiceInput,
    SptjmDecisionInput,
    UpdateAccepted,
    WorkflowTuning,
)
from domain.contracts.names import CORRECTION_WORKFLOW_TYPE, DEATH_WORKFLOW_TYPE, TASK_QUEUE, WORKFLOW_TYPE
from domain.contracts.state import (
    BundleHeader,
    BundleState,
    BundleSync,
    ChildHeader,
    ChildState,
    FollowUpLink,
    FollowUpState,
    ForwardInfo,
    ServiceChange,
    ServiceState,
    TimelineEvent,
)

__all__ = [
    "CORRECTION_WORKFLOW_TYPE",
    "DEATH_WORKFLOW_TYPE",
    "OPEN_STATUSES",
    "TASK_QUEUE",
    "TERMINAL_STATUSES",
    "WORKFLOW_TYPE",
    "AktaCorrected",
    "AktaCorrectionInput",
    "AktaInput",
    "AktaIssued",
    "BpjsEndInput",
    "BpjsEnrolInput",
    "BpjsMembership",
    "BpjsStatusInput",
    "BpjsUpdateInput",
    "BundleHeader",
    "BundleState",
    "BundleSync",
    "BundleStatus",
    "ChildHeader",
    "ChildState",
    "CloseBundleInput",
    "CorrectParentsInput",
    "DeathInput",
    "DeathRecorded",
    "FamilyInfo",
    "FamilyLookupInput",
    "FamilyNoticeInput",
    "FamilyNoticeSent",
    "FollowUpInput",
    "FollowUpKind",
    "FollowUpLink",
    "FollowUpState",
    "FollowUpSync",
    "ForwardInfo",
    "ForwardInput",
    "KadisDecisionInput",
    "KelahiranInput",
    "KiaInput",
    "KiaIssued",
    "KkChild",
    "KkMemberInput",
    "KkReissueInput",
    "KkReissued",
    "NikIssued",
    "Note",
    "ProvideNameInput",
    "Reason",
    "RegisterBirthInput",
    "ReminderDelivered",
    "ReminderInput",
    "ReportDeathInput",
    "RetryServiceInput",
    "Service",
    "ServiceChange",
    "ServiceState",
    "ServiceStatus",
    "SptjmDecisionInput",
    "StillbirthInput",
    "StillbirthRecorded",
    "TimelineEvent",
    "UpdateAccepted",
    "WorkflowTuning",
    "names",
]
