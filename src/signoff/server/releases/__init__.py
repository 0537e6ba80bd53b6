"""The release gate on the control plane: artifact events, release verification, promotion,
attestations and trace (docs/release.md "On the control plane")."""
