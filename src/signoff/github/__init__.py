"""signoff on GitHub: the Action (CI-only mode), GitHub reviews as approvals (`forge-review`
evidence), check runs and the sticky pull-request comment (docs/github.md).

The pure parts (reviews -> approval records, annotations, the comment) import no HTTP stack;
`signoff.github.api` is the only module that talks to GitHub, through githubkit.
"""
