"""Deployment: Kubernetes, Helm, Terraform, Compose and platform configs.

Deployment folders count at any depth (`services/api/k8s/…`), so a monorepo cannot hide one. The
Terraform provider lockfile pins provider hashes exactly as a package lockfile pins packages, so it
is a `lockfile`, like `Chart.lock`.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass

_DIRS: tuple[str, ...] = (
    "k8s",
    "kubernetes",
    "manifests",
    "deploy",
    "deployment",
    "deployments",
    "helm",
)
_DIRS += ("charts", "chart", "terraform", "infra", "infrastructure", "cloudformation")
_DIRS += ("ansible", "playbooks", "helmfile.d")


class Deployment(RuleClassifier):
    ident = "deployment"
    desc = "k8s/Helm/Terraform/Compose/Kustomize/Ansible and platform deploy configs"
    rules = specific(
        FileClass.DEPLOYMENT,
        *((f"{d}/", f"deployment folder `{d}/`") for d in _DIRS),
        ("Chart.yaml", "Helm chart"),
        ("values*.yaml", "Helm values"),
        ("values*.yml", "Helm values"),
        ("*.tf", "Terraform"),
        ("*.tf.json", "Terraform"),
        ("*.tfvars", "Terraform variables"),
        ("*.tfvars.json", "Terraform variables"),
        ("terragrunt.hcl", "Terragrunt"),
        ("*.hcl", "HCL infrastructure config (Nomad, Packer, ...)"),
        ("*.nomad", "Nomad job"),
        ("docker-compose*.y*ml", "Compose: how containers run"),
        ("compose*.y*ml", "Compose: how containers run"),
        ("kustomization.y*ml", "Kustomize"),
        ("Kustomization", "Kustomize"),
        ("helmfile*.y*ml", "Helmfile"),
        ("skaffold*.y*ml", "Skaffold"),
        ("Procfile", "process types run by the platform"),
        ("app.yaml", "Google App Engine"),
        ("fly.toml", "Fly.io app"),
        ("vercel.json", "Vercel project"),
        ("netlify.toml", "Netlify site"),
        ("serverless*.y*ml", "Serverless Framework"),
        ("Pulumi.*", "Pulumi stack"),
        ("playbook*.y*ml", "Ansible playbook"),
        ("ansible.cfg", "Ansible settings"),
        ("cdk.json", "AWS CDK app"),
        ("samconfig.toml", "AWS SAM deploy settings"),
        ("appspec.y*ml", "AWS CodeDeploy"),
        ("render.yaml", "Render blueprint"),
        ("railway.json", "Railway service"),
        ("railway.toml", "Railway service"),
        ("wrangler.toml", "Cloudflare Workers"),
        ("wrangler.json*", "Cloudflare Workers"),
        ("Tiltfile", "Tilt"),
        (".platform.app.yaml", "Platform.sh app"),
    ) + specific(
        FileClass.LOCKFILE,
        (".terraform.lock.hcl", "Terraform provider lockfile"),
        ("Chart.lock", "Helm dependency lockfile"),
    )
