"""Personal data over its whole life: retention, the person's rights, the records a DPO asks for (docs/privacy.md)."""
