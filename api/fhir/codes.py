"""The systems, codes and extension URLs the intake reads (see the README's mapping table)."""

from __future__ import annotations

# SATUSEHAT (Kemenkes) identifier systems and extensions.
NIK = "https://fhir.kemkes.go.id/id/nik"
NIK_IBU = "https://fhir.kemkes.go.id/id/nik-ibu"
KK = "https://fhir.kemkes.go.id/id/kk"
ADMINISTRATIVE_CODE = "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode"
SATUSEHAT_ENCOUNTER = "http://sys-ids.kemkes.go.id/encounter/"  # + the organisation's id

# HL7 and terminologies.
BIRTH_TIME = "http://hl7.org/fhir/StructureDefinition/patient-birthTime"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
MOTHER_ROLES = frozenset({"MTH", "NMTH"})  # mother, natural mother
FATHER_ROLES = frozenset({"FTH", "NFTH"})
BIRTH_WEIGHT = frozenset({"8339-4"})  # Birth weight Measured
BIRTH_LENGTH = frozenset({"89269-5"})  # Body height Measured --at birth
GESTATIONAL_AGE = frozenset({"11884-4", "18185-9"})  # Gestational age Estimated; Gestational age
STILLBIRTH = "237364002"  # SNOMED CT Stillbirth (finding)
# Observations and findings in these states do not count (FHIR: they were never true).
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
VOID_STATUSES = frozenset({"cancelled", "entered-in-error", "refuted"})

# Ours: what F-2.01 needs and FHIR does not carry. Canonical URLs, documented in the README.
OURS = "https://kelahiran.example.id/fhir/StructureDefinition/"
EXT_ATTENDANT = OURS + "birth-attendant"
EXT_WITNESS = OURS + "birth-witness"
EXT_MARRIAGE_PROOF = OURS + "marriage-proof"
EXT_SPTJM = OURS + "sptjm-marriage"
EXT_REPORTER_PHONE = OURS + "reporter-phone"
EXT_CONSENT_METHOD = OURS + "consent-method"
KNOWN_EXTENSIONS = frozenset({EXT_ATTENDANT, EXT_WITNESS, EXT_MARRIAGE_PROOF, EXT_SPTJM,
                              EXT_REPORTER_PHONE, EXT_CONSENT_METHOD})
