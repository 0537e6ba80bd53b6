"""Reading signoff's YAML files with exact error locations."""
