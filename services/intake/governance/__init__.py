"""Clinical governance pages for clinical leads: what clinicians and EHR users do with the
engine's advice (override analytics, issue 20)."""
