"""signoff on GitLab: the merge request note (`notes`).

The CI template that uses it is integrations/gitlab/signoff.gitlab-ci.yml.
"""
