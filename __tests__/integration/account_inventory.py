"""What an emulated account holds, and what of it no Terraform state holds: the check that a
recovery left no orphans. The Resource Groups Tagging API (the runbook's search) misses whole
services, so this also lists, by their own APIs, the kinds the stacks create that it misses."""
import json
import re


def tagged_arns(aws, tag_filters=None):
    """ARNs the tagging API lists, optionally only those with the given tags."""
    arns, token = set(), ""
    client = aws("resourcegroupstaggingapi")
    while True:
        page = client.get_resources(TagFilters=tag_filters or [], PaginationToken=token)
        arns |= {r["ResourceARN"] for r in page["ResourceTagMappingList"]}
        token = page.get("PaginationToken", "")
        if not token:
            return arns


def untagged_kinds(aws):
    """(kind, identifier) for the kinds the stacks create that the tagging API does not list."""
    iam, ecr, rds, cache, s3, kms = aws("iam"), aws("ecr"), aws("rds"), aws("elasticache"), aws("s3"), aws("kms")
    found = set()
    found |= {("iam role", r["Arn"]) for r in iam.list_roles()["Roles"]}
    found |= {("iam oidc provider", p["Arn"]) for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
    found |= {("s3 bucket", b["Name"]) for b in s3.list_buckets()["Buckets"]}
    found |= {("ecr repository", r["repositoryArn"]) for r in ecr.describe_repositories()["repositories"]}
    found |= {("rds parameter group", g["DBParameterGroupArn"]) for g in rds.describe_db_parameter_groups()["DBParameterGroups"]
              if not g["DBParameterGroupName"].startswith("default.")}
    found |= {("rds subnet group", g["DBSubnetGroupArn"]) for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]}
    found |= {("elasticache subnet group", g["ARN"]) for g in cache.describe_cache_subnet_groups()["CacheSubnetGroups"]}
    found |= {("kms alias", a["AliasArn"]) for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")}
    return found


def state_identifiers(show_json):
    """The arn, id, name and bucket of every managed resource in a `terraform show -json` document
    (top-level attributes only: a nested ARN is usually a reference to something else)."""
    found = set()

    def module(mod):
        for resource in mod.get("resources", []):
            if resource.get("mode") == "managed":
                values = resource.get("values") or {}
                found.update(v for k, v in values.items() if k in ("arn", "id", "name", "bucket") and isinstance(v, str))
        for child in mod.get("child_modules", []):
            module(child)

    module((json.loads(show_json or "{}").get("values") or {}).get("root_module") or {})
    return found


def held(identifier, identifiers):
    """In a state by ARN, by the name or id the ARN ends with, or by its path after the resource type."""
    tail = identifier.split(":", 5)[-1]
    return (identifier in identifiers or re.split(r"[/:]", identifier)[-1] in identifiers
            or tail.partition("/")[2] in identifiers or tail.partition(":")[2] in identifiers)


def belongs_to_aws(identifier):
    """Made by AWS itself, not by a stack: RDS's automated snapshots (they copy the instance's tags),
    and the tagging API's own view of an RDS-managed master secret."""
    return ":snapshot:rds:" in identifier or ":secret:rds!" in identifier


def pending_deletion(aws, identifier):
    """A KMS key scheduled for deletion: it exists (seven days at least) but is already on its way out."""
    return ":kms:" in identifier and ":key/" in identifier and aws("kms").describe_key(KeyId=identifier)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def orphans(aws, show_jsons):
    """What the account holds that is in none of the given states."""
    identifiers = set().union(*(state_identifiers(s) for s in show_jsons))
    inventory = {("tagged", a) for a in tagged_arns(aws)} | untagged_kinds(aws)
    return sorted(f"{kind}: {ident}" for kind, ident in inventory
                  if not belongs_to_aws(ident) and not held(ident, identifiers) and not pending_deletion(aws, ident))
