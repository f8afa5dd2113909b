"""The domain's words as operators read them: statuses, services, reason codes, timeline events.

Each reason carries what it means (`r_`) and what resolves it (`fix_`): the worklist and the bundle
page show both, so nobody needs the code or the README to act on a case.
"""

from __future__ import annotations

from api.console.audit_words import AUDIT_WORDS
from api.console.refusal_words import REFUSAL_WORDS

WORDS: dict[str, tuple[str, str]] = {
    # bundle statuses
    "st_in_progress": ("Sedang diproses", "In progress"),
    "st_needs_attention": ("Perlu tindakan", "Needs attention"),
    "st_completed": ("Selesai", "Completed"),
    "st_closed_with_issues": ("Ditutup dengan masalah", "Closed with issues"),
    "st_stillbirth_recorded": ("Lahir mati tercatat", "Stillbirth recorded"),
    "st_forwarded": ("Diteruskan", "Forwarded"),
    "st_closed_duplicate": ("Ditutup: duplikat", "Closed: duplicate"),
    # service statuses (follow-ups use the same words)
    "ss_pending": ("Menunggu giliran", "Pending"),
    "ss_in_progress": ("Diproses", "In progress"),
    "ss_waiting_input": ("Menunggu data", "Waiting for input"),
    "ss_awaiting_payment": ("Menunggu pembayaran", "Awaiting payment"),
    "ss_completed": ("Selesai", "Completed"),
    "ss_needs_attention": ("Perlu tindakan", "Needs attention"),
    "ss_not_applicable": ("Tidak berlaku", "Not applicable"),
    "ss_cancelled": ("Dibatalkan", "Cancelled"),
    # services
    "svc_routing": ("Kantor Dukcapil", "Dukcapil office"),
    "svc_nik": ("NIK", "NIK"),
    "svc_akta": ("Akta kelahiran", "Birth certificate (akta)"),
    "svc_kia": ("KIA", "Child ID card (KIA)"),
    "svc_kk": ("Kartu Keluarga", "Family card (KK)"),
    "svc_bpjs": ("BPJS Kesehatan", "BPJS health insurance"),
    "svc_surat_lahir_mati": ("Surat keterangan lahir mati", "Stillbirth certificate"),
    # deadlines
    "dl_ok": ("sesuai jadwal", "on time"),
    "dl_approaching": ("tenggat mendekat", "deadline approaching"),
    "dl_passed": ("tenggat terlewati", "deadline passed"),
    # reason codes: what it means, then how to resolve it
    "r_DOMISILI_LUAR": ("KK keluarga berdomisili di wilayah yang tidak dilayani kantor Dukcapil terhubung.",
                        "The family's KK is registered where no connected Dukcapil office serves."),
    "fix_DOMISILI_LUAR": ("Teruskan bundel ke Disdukcapil domisili keluarga (nama kantor dan nomor rujukan "
                          "dari kantor itu). Supervisor dapat juga menutupnya dengan alasan.",
                          "Forward the bundle to the Disdukcapil of the family's domicile (the office's name "
                          "and its reference number). A supervisor may instead close it with a reason."),
    "r_KK_TIDAK_DITEMUKAN": ("Nomor KK tidak ditemukan di Dukcapil.",
                             "Dukcapil does not know the KK number."),
    "fix_KK_TIDAK_DITEMUKAN": ("Pastikan nomor KK dengan rumah sakit atau keluarga, lalu koreksi data "
                               "orang tua (nomor KK); layanan dicoba lagi otomatis.",
                               "Check the KK number with the hospital or the family, then correct the "
                               "parents' data (KK number); the service is tried again by itself."),
    "r_NIK_IBU_TIDAK_DITEMUKAN": ("NIK ibu tidak dikenal Dukcapil.",
                                  "Dukcapil does not know the mother's NIK."),
    "fix_NIK_IBU_TIDAK_DITEMUKAN": ("Koreksi NIK ibu pada data orang tua; layanan dicoba lagi otomatis.",
                                    "Correct the mother's NIK in the parents' data; the service is tried "
                                    "again by itself."),
    "r_IBU_TIDAK_DI_KK": ("Ibu tidak tercantum di KK yang dikirim rumah sakit.",
                          "The mother is not on the KK the hospital sent."),
    "fix_IBU_TIDAK_DI_KK": ("Koreksi nomor KK (KK tempat ibu tercantum) atau NIK ibu pada data orang tua. "
                            "KK baru menjalankan penentuan kantor lagi: bundel dapat pindah kantor.",
                            "Correct the KK number (the KK the mother is on) or the mother's NIK in the "
                            "parents' data. A new KK routes the bundle again: it may move to another "
                            "office."),
    "r_DUPLIKAT_DICURIGAI": ("Kelahiran ini mungkin sudah dilaporkan (anak yang sama, atau persalinan lain "
                             "ibu yang sama dalam beberapa bulan). Belum ada yang diterbitkan.",
                             "This birth may already have been reported (the same child, or another "
                             "delivery by the same mother within months). Nothing has been issued."),
    "fix_DUPLIKAT_DICURIGAI": ("Bandingkan dengan bundel sebelumnya; supervisor memutuskan: duplikat "
                               "(ditutup dan ditautkan) atau bukan duplikat (dilanjutkan).",
                               "Compare it with the earlier bundle; a supervisor decides: a duplicate "
                               "(closed and linked) or not a duplicate (it goes on)."),
    "r_KELAHIRAN_SUDAH_TERDAFTAR": ("Dukcapil sudah mendaftarkan anak ini (ibu, tanggal lahir dan urutan "
                                    "kelahiran yang sama) dan tidak menerbitkan NIK kedua.",
                                    "Dukcapil already registered this child (the same mother, birth date and "
                                    "birth order) and issues no second NIK."),
    "fix_KELAHIRAN_SUDAH_TERDAFTAR": ("Cari bundel kelahiran sebelumnya; bila ini duplikat, supervisor "
                                      "menutup bundel ini dengan alasan.",
                                      "Find the earlier birth's bundle; if this is a duplicate, a supervisor "
                                      "closes this bundle with a reason."),
    "r_NAMA_TIDAK_SESUAI": ("Dukcapil menolak nama anak: menurut Permendagri 73/2022 nama terdiri atas huruf "
                            "dan spasi, paling banyak 60 huruf, tanpa gelar.",
                            "Dukcapil refused the child's name: under Permendagri 73/2022 a name is letters "
                            "and spaces, at most 60, with no title."),
    "fix_NAMA_TIDAK_SESUAI": ("Tanyakan nama yang sah kepada keluarga dan isi lewat \"Isi nama bayi\"; "
                              "akta lalu terbit dengan nama itu.",
                              "Ask the family for a valid name and give it with \"Isi nama bayi\"; the "
                              "akta is then issued with it."),
    "r_SPTJM_TIDAK_SAH": ("Ada SPTJM suami-istri, tetapi KK tidak menunjukkan orang tua berstatus kawin.",
                          "An SPTJM (unrecorded marriage) was given, but the KK does not show the parents "
                          "married."),
    "fix_SPTJM_TIDAK_SAH": ("Supervisor: terima SPTJM bila KK keluarga sudah diperbarui, atau tolak sehingga "
                            "akta terbit atas nama ibu saja (\"anak seorang ibu\").",
                            "Supervisor: accept the SPTJM if the family's KK has been updated, or reject it "
                            "so the akta names the mother only (\"anak seorang ibu\")."),
    "r_BUKTI_PERKAWINAN_TIDAK_SESUAI": ("Bukti perkawinan tidak sesuai dengan data Dukcapil.",
                                        "The marriage proof does not match Dukcapil's records."),
    "fix_BUKTI_PERKAWINAN_TIDAK_SESUAI": ("Periksa data ayah dengan keluarga dan koreksi data orang tua; "
                                          "bila tidak dapat diselesaikan, supervisor menutup bundel.",
                                          "Check the father's data with the family and correct the parents' "
                                          "data; if it cannot be resolved, a supervisor closes the bundle."),
    "r_KEPUTUSAN_KADIS_DIPERLUKAN": ("Dilaporkan lebih dari 60 hari setelah lahir: akta terlambat (LT) "
                                     "memerlukan keputusan Kepala Dinas.",
                                     "Reported more than 60 days after the birth: a late akta (LT) needs "
                                     "the Kepala Dinas's decision."),
    "fix_KEPUTUSAN_KADIS_DIPERLUKAN": ("Supervisor: catat nomor keputusan Kepala Dinas; akta LT lalu terbit.",
                                       "Supervisor: record the Kepala Dinas's decision number; the LT akta "
                                       "is then issued."),
    "r_NAMA_BELUM_ADA": ("Bayi dipulangkan tanpa nama: akta, KIA dan KK menunggu nama.",
                         "The baby was discharged without a name: the akta, KIA and KK wait for it."),
    "fix_NAMA_BELUM_ADA": ("Isi nama bayi (dari rumah sakit atau keluarga); sisanya berjalan sendiri.",
                           "Enter the baby's name (from the hospital or the family); the rest follows."),
    "r_PESERTA_TIDAK_AKTIF": ("Kepesertaan BPJS keluarga tidak aktif (menunggak iuran).",
                              "The family's BPJS membership is inactive (contributions in arrears)."),
    "fix_PESERTA_TIDAK_AKTIF": ("Keluarga melunasi tunggakan di BPJS; lalu pilih \"Coba lagi\" pada BPJS.",
                                "The family pays its arrears at BPJS; then choose \"Retry\" on BPJS."),
    "r_PAYMENT_LATE": ("BPJS menunggu pembayaran pertama keluarga ke virtual account, melewati batas "
                       "28 hari.",
                       "BPJS waits for the family's first payment into its virtual account, past the 28-day "
                       "window."),
    "r_PAYMENT_SOON": ("BPJS menunggu pembayaran pertama keluarga; batas 28 hari sudah dekat.",
                       "BPJS waits for the family's first payment; the 28-day window ends soon."),
    "fix_PAYMENT": ("Hubungi keluarga untuk membayar ke virtual account (lihat langkah BPJS). Setelah "
                    "dibayar, \"Coba lagi\" memeriksa pembayaran sekarang.",
                    "Ask the family to pay into the virtual account (see the BPJS step). Once paid, "
                    "\"Retry\" checks the payment now."),
    "r_DEADLINE": ("Tenggat hukum layanan yang belum selesai sudah dekat atau terlewati.",
                   "An open service's legal deadline is near or past."),
    "fix_DEADLINE": ("Buka bundel dan selesaikan langkah yang masih terbuka.",
                     "Open the bundle and resolve the step that is still open."),
    "r_other": ("Ditolak oleh layanan ({code}).", "Refused by the service ({code})."),
    "fix_other": ("Baca kesalahan terakhir pada langkahnya; koreksi data lalu \"Coba lagi\", atau supervisor "
                  "menutup bundel.", "Read the step's last error; correct the data then \"Retry\", or a "
                  "supervisor closes the bundle."),
    # timeline events (service and bundle statuses reuse ss_/st_)
    "ev_received": ("Diterima dari rumah sakit", "Received from the hospital"),
    "ev_name_provided": ("Nama bayi diisi", "Baby's name provided"),
    "ev_retry_requested": ("Coba lagi diminta", "Retry requested"),
    "ev_kadis_decision_recorded": ("Keputusan Kepala Dinas dicatat", "Kepala Dinas's decision recorded"),
    "ev_death_reported": ("Kematian anak dilaporkan", "Child's death reported"),
    "ev_follow_up_started": ("Tindak lanjut dimulai", "Follow-up started"),
    "ev_closed": ("Bundel ditutup", "Bundle closed"),
    "ev_forwarded": ("Bundel diteruskan", "Bundle forwarded"),
    "ev_sptjm_accepted": ("SPTJM diterima", "SPTJM accepted"),
    "ev_sptjm_rejected": ("SPTJM ditolak (ibu saja)", "SPTJM rejected (mother only)"),
    "ev_parents_corrected": ("Data orang tua dikoreksi", "Parents' data corrected"),
    "ev_duplicate_confirmed": ("Dipastikan duplikat: ditutup", "Confirmed a duplicate: closed"),
    "ev_duplicate_ruled_out": ("Dipastikan bukan duplikat", "Ruled out as a duplicate"),
    "ev_reminder_sent": ("Pengingat SMS untuk keluarga terkirim", "SMS reminder to the family sent"),
    "ev_reminder_failed": ("Pengingat SMS untuk keluarga gagal", "SMS reminder to the family failed"),
    "ev_deadline_approaching": ("Tenggat mendekat", "Deadline approaching"),
    "ev_deadline_passed": ("Tenggat terlewati", "Deadline passed"),
    # follow-ups after issue
    "fu_death": ("Kematian: akta kematian, KK, BPJS", "Death: akta kematian, KK, BPJS"),
    "fu_correction": ("Koreksi: akta terbit ulang, KIA, KK, BPJS",
                      "Correction: akta reissued, KIA, KK, BPJS"),
    # roles
    "role_operator": ("operator", "operator"),
    "role_supervisor": ("supervisor", "supervisor"),
    "role_auditor": ("auditor", "auditor"),
    "role_admin": ("admin", "admin"),
    "role_hospital": ("rumah sakit", "hospital"),
    "sex_male": ("laki-laki", "boy"),
    "sex_female": ("perempuan", "girl"),
    # the notification's coded fields as values (fv_{field}_{value}; contracts Attendant, Outcome)
    "fv_attendant_doctor": ("dokter", "doctor"),
    "fv_attendant_midwife": ("bidan", "midwife"),
    "fv_attendant_nurse": ("perawat", "nurse"),
    "fv_attendant_other": ("tenaga lain", "other"),
    "fv_outcome_live": ("lahir hidup", "live birth"),
    "fv_outcome_stillbirth": ("lahir mati", "stillbirth"),
}
WORDS.update(REFUSAL_WORDS)  # the other codes Dukcapil, BPJS and the SMS gateway can refuse with
WORDS.update(AUDIT_WORDS)  # the audit view's actions and outcomes
