"""BPJS Kesehatan simulator (bridging protocol, newborn enrolment, bank stand-in)."""
