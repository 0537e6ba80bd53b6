"""Framework identifiers for each signoff control: only those marked *verified* in
shared/research/standards-controls.md (OWASP ASI 2026, CSA MAESTRO layers, NIST AI RMF 1.0,
NIST CSF 2.0, NIST SP 800-218 SSDF 1.1, SLSA v1.2 source track).

Left out on purpose: OWASP NHI Top 10 (secondary), ISO/IEC 42001 (unverified), MAESTRO playbook
mitigation IDs (a community playbook's, not CSA's), SP 800-218A (out of scope for deployment),
and any ID that appears only in the research file's proposed mapping and not in its verified
tables (e.g. AI RMF MEASURE 2.10). The mapping itself is an interpretation, not a statement
by the frameworks, and the report says so.
"""

from __future__ import annotations

ASI = "OWASP Top 10 for Agentic Applications 2026"
MAESTRO = "CSA MAESTRO (layers)"
AI_RMF = "NIST AI RMF 1.0"
CSF = "NIST CSF 2.0"
SSDF = "NIST SP 800-218 SSDF 1.1"
SLSA = "SLSA v1.2 source track"

FRAMEWORKS = (ASI, MAESTRO, AI_RMF, CSF, SSDF, SLSA)

TITLES: dict[str, str] = {
    "ASI01": "Agent Goal Hijack",
    "ASI02": "Tool Misuse and Exploitation",
    "ASI03": "Identity and Privilege Abuse",
    "ASI04": "Agentic Supply Chain Vulnerabilities",
    "ASI05": "Unexpected Code Execution (RCE)",
    "ASI06": "Memory & Context Poisoning",
    "ASI08": "Cascading Failures",
    "ASI09": "Human-Agent Trust Exploitation",
    "ASI10": "Rogue Agents",
    "L3": "Agent Frameworks",
    "L4": "Deployment & Infrastructure",
    "L5": "Evaluation & Observability",
    "L6": "Security & Compliance",
    "L7": "Agent Ecosystem",
    "Source L2": "History & Provenance",
    "Source L3": "Continuous technical controls",
    "Source L4": "Two-party review",
    "Identity Management": "Source track requirement",
}

MAPPING: dict[str, dict[str, tuple[str, ...]]] = {
    "C1": {
        ASI: ("ASI03", "ASI10"),
        MAESTRO: ("L6", "L7"),
        AI_RMF: ("GOVERN 1.6", "GOVERN 1.7", "GOVERN 2.1", "MANAGE 2.4"),
        CSF: ("ID.AM-02", "ID.AM-08", "PR.AA-01", "GV.RR-02"),
        SSDF: ("PO.2.1",),
        SLSA: ("Identity Management",),
    },
    "C2": {
        ASI: ("ASI02", "ASI03", "ASI08", "ASI10"),
        MAESTRO: ("L3", "L4", "L6"),
        AI_RMF: ("GOVERN 1.4", "MEASURE 2.7"),
        CSF: ("PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-04", "PR.AA-05"),
        SSDF: ("PO.5.1", "PS.1.1"),
        SLSA: (),
    },
    "C3": {
        ASI: ("ASI05", "ASI08", "ASI10"),
        MAESTRO: ("L6",),
        AI_RMF: ("GOVERN 3.2", "MAP 3.5"),
        CSF: ("PR.AA-05", "PR.PS-05", "PR.PS-06"),
        SSDF: ("PO.5.1", "PS.1.1"),
        SLSA: ("Source L4",),
    },
    "C4": {
        ASI: ("ASI01", "ASI02", "ASI03", "ASI04", "ASI05", "ASI09"),
        MAESTRO: ("L5", "L6", "L7"),
        AI_RMF: ("GOVERN 3.2", "MAP 3.5", "GOVERN 6.1", "MANAGE 3.1", "MANAGE 4.1"),
        CSF: ("ID.RA-07", "ID.RA-09", "PR.PS-01", "GV.SC-07"),
        SSDF: ("PS.1.1", "PS.2.1", "PW.4.1", "PW.4.4", "PW.7.1", "PW.7.2"),
        SLSA: ("Source L3", "Source L4"),
    },
    "C5": {
        ASI: ("ASI02", "ASI05", "ASI08", "ASI09", "ASI10"),
        MAESTRO: ("L5",),
        AI_RMF: ("MEASURE 2.8", "MANAGE 4.3", "GOVERN 1.4"),
        CSF: ("PR.PS-04", "DE.AE-03", "RS.AN-06", "RS.AN-07"),
        SSDF: ("PO.3.3", "PO.4.2", "PS.2.1", "PS.3.1", "PS.3.2"),
        SLSA: ("Source L2",),
    },
    "C6": {
        ASI: ("ASI03", "ASI06", "ASI09"),
        MAESTRO: ("L4", "L6"),
        AI_RMF: ("MEASURE 2.7",),
        CSF: ("PR.DS-01", "PR.DS-02", "DE.CM-09"),
        SSDF: ("PW.7.2",),
        SLSA: (),
    },
    "C7": {
        ASI: ("ASI01", "ASI02", "ASI03", "ASI04", "ASI08", "ASI10"),
        MAESTRO: ("L5",),
        AI_RMF: ("MEASURE 2.4", "MEASURE 3.1", "MANAGE 2.4", "MANAGE 4.1", "GOVERN 4.3"),
        CSF: ("DE.CM-03", "DE.CM-06", "DE.CM-09", "DE.AE-02", "DE.AE-06", "RS.MI-01"),
        SSDF: ("PO.3.2", "PO.5.1", "RV.1.1"),
        SLSA: (),
    },
}
