"""The compliance report: signoff's controls, mapped to framework controls, with evidence."""
