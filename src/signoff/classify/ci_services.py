"""Other CI services: pipeline definitions that run code with the project's CI credentials."""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, specific
from signoff.taxonomy import FileClass


class CIServices(RuleClassifier):
    ident = "ci-services"
    desc = "GitLab CI, Jenkins, CircleCI, Azure Pipelines, Buildkite and other CI definitions"
    rules = specific(
        FileClass.CI_WORKFLOW,
        (".gitlab-ci.y*ml", "GitLab CI pipeline"),
        ("*.gitlab-ci.y*ml", "GitLab CI pipeline include"),
        (".gitlab/ci/", "GitLab CI includes"),
        (AnyCase("Jenkinsfile*"), "Jenkins pipeline (any case, any suffix)"),
        (AnyCase("*.jenkinsfile"), "Jenkins pipeline"),
        (".circleci/", "CircleCI configuration"),
        ("azure-pipelines*.y*ml", "Azure Pipelines definition"),
        (".azure-pipelines/", "Azure Pipelines definitions"),
        (".azuredevops/", "Azure DevOps configuration"),
        (".buildkite/", "Buildkite pipelines and hooks"),
        (".travis.yml", "Travis CI configuration"),
        ("bitbucket-pipelines.yml", "Bitbucket Pipelines"),
        (".drone.yml", "Drone CI pipeline"),
        (".drone.star", "Drone CI pipeline"),
        ("cloudbuild*.y*ml", "Google Cloud Build"),
        ("cloudbuild*.json", "Google Cloud Build"),
        (".woodpecker/", "Woodpecker CI pipelines"),
        (".woodpecker.y*ml", "Woodpecker CI pipeline"),
        (".tekton/", "Tekton pipelines"),
        (".cirrus.yml", "Cirrus CI"),
        (".cirrus.star", "Cirrus CI"),
        ("appveyor.yml", "AppVeyor"),
        (".appveyor.yml", "AppVeyor"),
        (".semaphore/", "Semaphore CI"),
        ("buildspec*.y*ml", "AWS CodeBuild"),
        ("codemagic.yaml", "Codemagic"),
        ("bitrise.yml", "Bitrise"),
        (".readthedocs.y*ml", "Read the Docs build (runs commands)"),
        (".forgejo/workflows/", "Forgejo Actions workflow"),
        (".gitea/workflows/", "Gitea Actions workflow"),
        (".zuul.y*ml", "Zuul CI"),
        ("zuul.d/", "Zuul CI"),
        (".prow.y*ml", "Prow jobs"),
    )
