"""The services of a bundle, their statuses, the bundle's status and the reason codes a person sees."""

from __future__ import annotations

from enum import StrEnum


class Service(StrEnum):
    ROUTING = "routing"  # bundle-level: which Dukcapil office serves the family's KK
    NIK = "nik"
    AKTA = "akta"
    KIA = "kia"
    BPJS = "bpjs"
    KK = "kk"
    STILLBIRTH = "surat_lahir_mati"


class ServiceStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    WAITING_INPUT = "waiting_input"  # e.g. the baby's name
    AWAITING_PAYMENT = "awaiting_payment"  # BPJS: family VA not paid yet
    COMPLETED = "completed"
    NEEDS_ATTENTION = "needs_attention"  # business rejection: a person must act
    NOT_APPLICABLE = "not_applicable"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset(
    {ServiceStatus.PENDING, ServiceStatus.IN_PROGRESS, ServiceStatus.WAITING_INPUT,
     ServiceStatus.AWAITING_PAYMENT, ServiceStatus.NEEDS_ATTENTION}
)


class BundleStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    NEEDS_ATTENTION = "needs_attention"
    COMPLETED = "completed"
    CLOSED_WITH_ISSUES = "closed_with_issues"
    STILLBIRTH_RECORDED = "stillbirth_recorded"
    FORWARDED = "forwarded"  # handed to an office this system does not serve (with its reference)
    CLOSED_DUPLICATE = "closed_duplicate"  # a supervisor confirmed it is a birth already reported


# A bundle in one of these states changes no more (follow-ups after issue are their own workflows).
TERMINAL_STATUSES = frozenset({BundleStatus.COMPLETED, BundleStatus.CLOSED_WITH_ISSUES,
                               BundleStatus.STILLBIRTH_RECORDED, BundleStatus.FORWARDED,
                               BundleStatus.CLOSED_DUPLICATE})


class Reason(StrEnum):
    """Reason codes a person sees; each case in the domain notes has its own."""

    DOMISILI_LUAR = "DOMISILI_LUAR"  # no connected Dukcapil office serves the family's KK
    DUPLIKAT_DICURIGAI = "DUPLIKAT_DICURIGAI"  # the intake matched an earlier birth: a supervisor decides
    KK_TIDAK_DITEMUKAN = "KK_TIDAK_DITEMUKAN"
    NIK_IBU_TIDAK_DITEMUKAN = "NIK_IBU_TIDAK_DITEMUKAN"
    IBU_TIDAK_DI_KK = "IBU_TIDAK_DI_KK"
    SPTJM_TIDAK_SAH = "SPTJM_TIDAK_SAH"
    # Dukcapil: the buku nikah does not match the couple on the KK (often the father's NIK is wrong)
    BUKTI_PERKAWINAN_TIDAK_SESUAI = "BUKTI_PERKAWINAN_TIDAK_SESUAI"
    KEPUTUSAN_KADIS_DIPERLUKAN = "KEPUTUSAN_KADIS_DIPERLUKAN"  # akta > 60 days: LT needs a decision
    NAMA_BELUM_ADA = "NAMA_BELUM_ADA"
    NAMA_TIDAK_SESUAI = "NAMA_TIDAK_SESUAI"  # Dukcapil refused the name (Permendagri 73/2022)
    PESERTA_TIDAK_AKTIF = "PESERTA_TIDAK_AKTIF"


class FollowUpKind(StrEnum):
    DEATH = "death"  # akta kematian, KK updated, BPJS ended; the akta kelahiran stands
    CORRECTION = "correction"  # akta reissued (old number superseded), KIA and KK reissued


class Note(StrEnum):
    """What a service's last note or a timeline event says, as a code with parameters (`params`).

    The workflow keeps an English note beside it (`detail`, `message`); the console and the JSON API's
    `message` say it from the catalogue (api/console/notes.py), so both say the same in either language.
    """

    CHILDREN_REPORTED = "children_reported"  # count
    REFUSED = "refused"  # system (dukcapil, bpjs), code: a business rejection
    NO_OFFICE = "no_office"  # kab_kota: no connected Dukcapil office serves the family's KK
    HELD_DUPLICATE = "held_duplicate"  # the intake matched an earlier birth: held for a supervisor
    WAITING_NAME = "waiting_name"
    AWAITING_PAYMENT = "awaiting_payment"  # BPJS: the family's first payment into the VA
    BPJS_ENDED = "bpjs_ended"  # the child died: membership ended
    REROUTING = "rerouting"  # the KK number was corrected: routed again
    LEGAL_DEADLINE = "legal_deadline"  # date (ISO)
    BY_ACTOR = "by_actor"  # actor
    BY_ACTOR_BECAUSE = "by_actor_because"  # actor, reason (as typed)
    PARENTS_CHANGED = "parents_changed"  # actor, fields (mother,father,kk_number), reason
    HANDED_OVER = "handed_over"  # actor, office, reference, reason
    DEATH_FOLLOW_UP = "death_follow_up"  # follow_up (its workflow id)
    REMINDER = "reminder"  # reminder: name_missing, payment_due, deadline_approaching
